from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city and benchmark seeding: `seed_demo`, `seed_demo_work`. Nothing in the
    domain imports it; it uses the domain's services like any other caller."""

    name = "demo"
    verbose_name = "Demo"
