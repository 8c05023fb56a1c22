"""manage.py create_city: a city for this deployment, with its first organisation and manager.

    manage.py create_city --slug matsue --name 松江市 --name-en "Matsue City" \\
        --prefecture 島根県 --local-government-code 322016 \\
        --public-url https://matsue.machimori.example.jp --phone 0852-55-5555 \\
        --manager-email doro@city.matsue.example.jp --service-area matsue.geojson

Every input is checked first; any bad one is an error naming its option and nothing is
written. --dry-run prints the plan and writes nothing.

A deployment that served one city until now names that city once with
--adopt-organisations: its organisations (all those without a city) become the new city's,
with their staff, assets, stickers and reports; --manager-email is then optional.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import city_setup

# The plan's fields as the options that give them.
OPTIONS = {
    "slug": "--slug",
    "name": "--name",
    "name_en": "--name-en",
    "prefecture": "--prefecture",
    "local_government_code": "--local-government-code",
    "public_base_url": "--public-url",
    "hosts": "--host",
    "short_url_base": "--short-url",
    "phone": "--phone",
    "phone_hours": "--phone-hours",
    "jurisdiction_id": "--jurisdiction",
    "open311_contact": "--open311-contact",
    "open_data_license": "--open-data-license",
    "open_data_license_url": "--open-data-license-url",
    "service_area": "--service-area",
    "organisation_code": "--organisation-code",
    "manager_email": "--manager-email",
    "adopt": "--adopt-organisations",
}


class Command(BaseCommand):
    help = (
        "Add a city to this deployment (served at its own host names), with its first "
        "organisation and manager. Checks the local government code's check digit, the host "
        "names, the Open311 jurisdiction and the service area; --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        required = parser.add_argument_group("the city")
        required.add_argument("--slug", required=True, help="Short name: matsue")
        required.add_argument("--name", required=True, help="Its Japanese name: 松江市")
        required.add_argument("--name-en", required=True, help="Its English name: Matsue City")
        required.add_argument("--prefecture", required=True, help="島根県")
        required.add_argument(
            "--local-government-code",
            required=True,
            help="全国地方公共団体コード, six digits with the check digit: 322016",
        )
        required.add_argument(
            "--public-url",
            required=True,
            help="Its public address, printed in QR codes: https://matsue.example.jp "
            "(its host name is served)",
        )
        required.add_argument("--phone", required=True, help="The phone residents call")
        parser.add_argument(
            "--manager-email",
            default="",
            help="The first manager's e-mail (and user name); required unless adopting",
        )
        parser.add_argument(
            "--host",
            action="append",
            default=[],
            help="Another host name served as this city (repeat for more)",
        )
        parser.add_argument(
            "--short-url", default="", help="Printed on stickers before the code: matsue.jp/q/"
        )
        parser.add_argument("--phone-hours", default="", help="平日 8:30–17:15")
        parser.add_argument(
            "--jurisdiction", default="", help="Open311 jurisdiction_id (default: the host name)"
        )
        parser.add_argument("--open311-contact", default="")
        parser.add_argument(
            "--open-data-license", default="", help=f"Default: {settings.OPEN_DATA_LICENSE}"
        )
        parser.add_argument("--open-data-license-url", default="")
        parser.add_argument(
            "--service-area",
            default="",
            help="A GeoJSON file, or WKT (POLYGON/MULTIPOLYGON, WGS 84); none: anywhere",
        )
        parser.add_argument(
            "--organisation-code", default="", help="Code of its first organisation (the slug)"
        )
        parser.add_argument(
            "--adopt-organisations",
            action="store_true",
            help="This deployment's city until now: every organisation without a city "
            "becomes this city's (its city organisation: --organisation-code, or the only one)",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and print; write nothing")

    def handle(self, *args, **options):
        try:
            plan = city_setup.city_check(
                slug=options["slug"],
                name=options["name"],
                name_en=options["name_en"],
                prefecture=options["prefecture"],
                local_government_code=options["local_government_code"],
                public_base_url=options["public_url"],
                phone=options["phone"],
                manager_email=options["manager_email"],
                hosts=options["host"],
                short_url_base=options["short_url"],
                phone_hours=options["phone_hours"],
                jurisdiction_id=options["jurisdiction"],
                open311_contact=options["open311_contact"],
                open_data_license=options["open_data_license"],
                open_data_license_url=options["open_data_license_url"],
                area_text=self._area_text(options["service_area"]),
                organisation_code=options["organisation_code"],
                adopt=options["adopt_organisations"],
            )
        except ValidationError as error:
            raise CommandError(_refusals(error)) from None

        self.stdout.write(_described(plan))
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
            return
        city, organisation, manager = city_setup.city_create(plan=plan)
        if plan.adopt:
            self.stdout.write(
                f"Created city {city.slug} (id {city.pk}); it took over "
                f"{len(plan.adopted)} organisation(s), {organisation.code} its own."
            )
        else:
            self.stdout.write(
                f"Created city {city.slug} (id {city.pk}), organisation {organisation.code}."
            )
        if plan.new_manager:
            hours = settings.PASSWORD_RESET_TIMEOUT // 3600
            self.stdout.write(
                f"Manager {manager.username} sets a password at this link (once, within "
                f"{hours} hours):\n  {city_setup.set_password_link(city, manager)}"
            )
        self.stdout.write(
            "Add the host names to ALLOWED_HOSTS (and the web server), then restart the "
            "application unless CACHE_URL (Redis) is set."
        )

    def _area_text(self, value: str) -> str:
        """The area's text: the file's when `value` names one, else `value` itself (GeoJSON or
        WKT, checked with the rest)."""
        path = Path(value.strip())
        if not value.strip() or value.lstrip().startswith("{") or not path.is_file():
            return value
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"--service-area: {value} cannot be read ({exc})") from None


def _refusals(error: ValidationError) -> str:
    lines = ["Nothing was written:"]
    for key, messages in error.message_dict.items():
        for message in messages:
            lines.append(f"  {OPTIONS.get(key, key)}: {message}")
    return "\n".join(lines)


def _described(plan) -> str:
    area = (
        "anywhere" if plan.area is None else f"{plan.area.num_geom} polygon(s), {plan.area.extent}"
    )
    return "\n".join(
        [
            f"City {plan.slug}: {plan.prefecture}{plan.name} ({plan.name_en}), "
            f"code {plan.local_government_code}",
            f"  public address {plan.public_base_url}, hosts {', '.join(plan.hosts)}",
            f"  stickers {plan.short_url_base}, phone {plan.phone} {plan.phone_hours}".rstrip(),
            f"  Open311 jurisdiction {plan.jurisdiction_id}",
            f"  open data {plan.open_data_license} <{plan.open_data_license_url}>",
            f"  service area {area}",
            (
                f"Takes over {len(plan.adopted)} organisation(s) without a city: "
                f"{', '.join(plan.adopted)}; its own: {plan.organisation_code}"
                if plan.adopt
                else f"Organisation {plan.organisation_code} (city)"
            ),
            f"Manager {plan.manager_email} (new)"
            if plan.new_manager
            else f"Manager {plan.manager_email or 'none new'} (already there)",
        ]
    )
