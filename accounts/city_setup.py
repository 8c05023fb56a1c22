"""Adding a city to the deployment: the city, its host names, its first organisation and its
first manager (`manage.py create_city`), every input checked before anything is written."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email, validate_slug
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts import cities
from accounts.models import City, CityHost, Organization, User


@dataclass
class CityPlan:
    """What `city_create` will write, once `city_check` found nothing wrong."""

    slug: str
    name: str
    name_en: str
    prefecture: str
    local_government_code: str
    public_base_url: str
    hosts: list[str]
    short_url_base: str
    phone: str
    phone_hours: str
    jurisdiction_id: str
    open311_contact: str
    open_data_license: str
    open_data_license_url: str
    area: object  # MultiPolygon or None
    organisation_code: str
    manager_email: str


def city_check(
    *,
    slug: str,
    name: str,
    name_en: str,
    prefecture: str,
    local_government_code: str,
    public_base_url: str,
    phone: str,
    manager_email: str,
    hosts: list[str] = (),
    short_url_base: str = "",
    phone_hours: str = "",
    jurisdiction_id: str = "",
    open311_contact: str = "",
    open_data_license: str = "",
    open_data_license_url: str = "",
    area_text: str = "",
    organisation_code: str = "",
) -> CityPlan:
    """The plan for a new city, its defaults filled in (hosts and jurisdiction from the public
    address). Raises ValidationError naming every bad field."""
    errors: dict[str, list] = {}

    def refuse(key, error):
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        errors.setdefault(key, []).extend(messages)

    for key, value in (
        ("name", name),
        ("name_en", name_en),
        ("prefecture", prefecture),
        ("phone", phone),
    ):
        if not value.strip():
            refuse(key, _("This is required."))
    try:
        validate_slug(slug)
        if City.objects.filter(slug=slug).exists():
            refuse("slug", _("A city %(slug)s exists already.") % {"slug": slug})
    except ValidationError as error:
        refuse("slug", error)
    try:
        cities.validate_local_government_code(local_government_code)
        taken = City.objects.filter(local_government_code=local_government_code).first()
        if taken:
            refuse(
                "local_government_code",
                _("%(code)s is %(city)s's already.")
                % {"code": local_government_code, "city": taken},
            )
    except ValidationError as error:
        refuse("local_government_code", error)

    public_base_url = public_base_url.strip().rstrip("/")
    public = urlsplit(public_base_url)
    try:
        URLValidator(schemes=["https", "http"])(public_base_url)
        if public.path or public.query or public.fragment:
            raise ValidationError(_("Give the address without a path: https://izumo.example.jp"))
    except ValidationError as error:
        refuse("public_base_url", error)
        public = urlsplit("")
    own_host = (public.hostname or "").lower()

    wanted = [own_host] if own_host else []
    wanted += [h.strip() for h in hosts if h.strip() and h.strip() != own_host]
    for host in wanted:
        try:
            cities.validate_host(host)
        except ValidationError as error:
            refuse("hosts", error)
    if len(set(wanted)) != len(wanted):
        refuse("hosts", _("A host name is given twice."))
    for used in CityHost.objects.filter(host__in=wanted).select_related("city"):
        refuse(
            "hosts",
            _("%(host)s serves %(city)s already.") % {"host": used.host, "city": used.city},
        )

    jurisdiction_id = jurisdiction_id.strip() or own_host
    taken = (
        City.objects.filter(jurisdiction_id=jurisdiction_id).first() if jurisdiction_id else None
    )
    if taken:
        refuse(
            "jurisdiction_id",
            _("The Open311 jurisdiction %(id)s is %(city)s's already.")
            % {"id": jurisdiction_id, "city": taken},
        )

    license_url = open_data_license_url.strip() or settings.OPEN_DATA_LICENSE_URL
    try:
        URLValidator(schemes=["https", "http"])(license_url)
    except ValidationError as error:
        refuse("open_data_license_url", error)

    area = None
    if area_text.strip():
        try:
            area = cities.parse_area(area_text)
        except ValidationError as error:
            refuse("service_area", error)

    organisation_code = organisation_code.strip() or slug
    try:
        validate_slug(organisation_code)
        if Organization.objects.filter(code=organisation_code).exists():
            refuse(
                "organisation_code",
                _("An organisation %(code)s exists already.") % {"code": organisation_code},
            )
    except ValidationError as error:
        refuse("organisation_code", error)

    manager_email = manager_email.strip().lower()
    try:
        validate_email(manager_email)
        if (
            User.objects.filter(username=manager_email).exists()
            or User.objects.filter(email__iexact=manager_email).exists()
        ):
            refuse(
                "manager_email",
                _("A user with %(email)s exists already.") % {"email": manager_email},
            )
    except ValidationError as error:
        refuse("manager_email", error)

    if errors:
        raise ValidationError(errors)
    return CityPlan(
        slug=slug,
        name=name.strip(),
        name_en=name_en.strip(),
        prefecture=prefecture.strip(),
        local_government_code=local_government_code,
        public_base_url=public_base_url,
        hosts=wanted,
        short_url_base=short_url_base.strip() or f"{public.netloc}/q/",
        phone=phone.strip(),
        phone_hours=phone_hours.strip(),
        jurisdiction_id=jurisdiction_id,
        open311_contact=open311_contact.strip(),
        open_data_license=open_data_license.strip() or settings.OPEN_DATA_LICENSE,
        open_data_license_url=license_url,
        area=area,
        organisation_code=organisation_code,
        manager_email=manager_email,
    )


@transaction.atomic
def city_create(*, plan: CityPlan) -> tuple[City, Organization, User]:
    """Write the city, its host names, its organisation (kind city) and its manager, whose
    password is unusable until set through `set_password_link`."""
    city = City(
        slug=plan.slug,
        name=plan.name,
        name_en=plan.name_en,
        prefecture=plan.prefecture,
        local_government_code=plan.local_government_code,
        public_base_url=plan.public_base_url,
        short_url_base=plan.short_url_base,
        phone=plan.phone,
        phone_hours=plan.phone_hours,
        jurisdiction_id=plan.jurisdiction_id,
        open311_contact=plan.open311_contact,
        open_data_license=plan.open_data_license,
        open_data_license_url=plan.open_data_license_url,
        service_area=plan.area,
    )
    city.full_clean()
    city.save()
    for host in plan.hosts:
        row = CityHost(city=city, host=host)
        row.full_clean()
        row.save()
    organisation = Organization(
        code=plan.organisation_code,
        name=plan.name,
        name_en=plan.name_en,
        kind=Organization.Kind.CITY,
        phone=plan.phone,
        service_area=plan.area,
        city=city,
    )
    organisation.full_clean()
    organisation.save()
    manager = User(
        username=plan.manager_email,
        email=plan.manager_email,
        organization=organisation,
        role=User.Role.MANAGER,
    )
    manager.set_unusable_password()
    manager.full_clean()
    manager.save()
    return city, organisation, manager


def set_password_link(city: City, user: User) -> str:
    """The page on the city's own address where `user` chooses a password (the password
    reset's link: valid for PASSWORD_RESET_TIMEOUT, once)."""
    path = reverse(
        "manage-password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return city.public_base_url.rstrip("/") + path
