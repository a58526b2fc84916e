"""Register `dotfiles`, the first counter allowed in production (docs/schema.md).

Idempotent: a registry that already has it keeps its description and state. Undoing it
removes the registration only while it has no history, so no count is ever dropped.
"""

from django.db import migrations

REGISTER = """
insert into counters (id, description)
values ('dotfiles', 'Dotfiles install script')
on conflict (id) do nothing;
"""

UNREGISTER = """
delete from counters c
where c.id = 'dotfiles'
  and not exists (select 1 from counter_daily d where d.counter_id = c.id);
"""


class Migration(migrations.Migration):
    dependencies = [("counters", "0002_sql_functions")]

    operations = [migrations.RunSQL(REGISTER, reverse_sql=UNREGISTER)]
