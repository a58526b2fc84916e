"""The counting API: the HTTP face of `counters.db` for scripts, websites and badges.

`views.py` and `badge_views.py` hold the endpoints, `serializers.py` the query parameters and
response bodies (the same classes the OpenAPI schema documents), `errors.py` the one mapping
from failures to answers, `negotiation.py` which renderer answers, and `buckets.py` the days,
weeks and months a series is grouped into. The README's "The API" section is the contract.
"""
