"""Concurrent increments against the real server: every 200 is counted, exactly once."""

import http.client
import threading
import urllib.parse

from counters.models import CounterDaily

CLIENTS = 12
POSTS_PER_CLIENT = 250


def post_many(base_url: str, path: str, times: int, statuses: list[int]) -> None:
    """One keep-alive connection posting `times` times, as a busy script would."""
    url = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        for _ in range(times):
            conn.request("POST", path)
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        conn.close()


def test_concurrent_increments_are_all_counted(live_server_url, make_counter):
    # live_server_url turns the rate limit off: every client here shares one address.
    make_counter("hot")
    statuses: list[int] = []
    threads = [
        threading.Thread(
            target=post_many, args=(live_server_url, "/count/hot", POSTS_PER_CLIENT, statuses)
        )
        for _ in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses.count(200) == CLIENTS * POSTS_PER_CLIENT
    assert sum(CounterDaily.objects.filter(counter_id="hot").values_list("count", flat=True)) == (
        CLIENTS * POSTS_PER_CLIENT
    )
