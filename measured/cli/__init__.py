"""``python -m measured``: run, reproduce, check, rule, pythons (see ``main``)."""
