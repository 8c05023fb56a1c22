"""Adding a city to the deployment: the city, its host names, its first organisation and its
first manager (`manage.py create_city`), every input checked before anything is written.

A deployment that has served one city so far (organisations without a city) becomes
multi-city by creating that city with `adopt=True` (`create_city --adopt-organisations`):
every organisation without a city becomes the new city's, in the same transaction, and its
existing city organisation and managers stay as they are. Without that step its staff
would be refused on every host once the first City row exists. Apps above accounts keep
their own rows without a city (assets' towns) and take them over on `city_adopted`."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email, validate_slug
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts import cities
from accounts.models import City, CityHost, Organization, User

# Sent inside city_create's transaction when a city adopted the rows without a city:
# city (accounts.models.City). Receivers give it their own such rows (assets: the towns).
city_adopted = Signal()


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
    manager_email: str  # "" when adopting without a new manager
    adopt: bool = False  # take over the organisations without a city (codes below)
    adopted: tuple[str, ...] = ()
    new_manager: bool = True  # False: the manager e-mail names an adopted user already


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
    adopt: bool = False,
) -> CityPlan:
    """The plan for a new city, its defaults filled in (hosts and jurisdiction from the public
    address). With `adopt`, the organisations without a city become its own, and its
    organisation is the existing one of kind city among them. Raises ValidationError naming
    every bad field."""
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

    orphans = Organization.objects.filter(city__isnull=True)
    adopted: tuple[str, ...] = ()
    new_manager = True
    if adopt:
        adopted = tuple(orphans.order_by("code").values_list("code", flat=True))
        organisation_code = _adopted_organisation(orphans, organisation_code.strip(), refuse)
    else:
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
    if adopt and not manager_email:
        new_manager = False  # the adopted organisations' managers go on
    else:
        try:
            validate_email(manager_email)
            known = User.objects.filter(username=manager_email).first() or (
                User.objects.filter(email__iexact=manager_email).first()
            )
            if known and adopt and known.organization_id in orphans.values_list("pk", flat=True):
                new_manager = False  # one of the adopted staff: nothing to create
            elif known:
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
        adopt=adopt,
        adopted=adopted,
        new_manager=new_manager,
    )


def _adopted_organisation(orphans, code: str, refuse) -> str:
    """The city organisation among those without a city that the new city takes over: the one
    named by `code`, else the only one there is."""
    roots = orphans.filter(kind=Organization.Kind.CITY, parent__isnull=True)
    if not orphans.exists():
        refuse("adopt", _("Every organisation belongs to a city already: nothing to adopt."))
        return code
    if code:
        if not roots.filter(code=code).exists():
            refuse(
                "organisation_code",
                _("%(code)s is not a city organisation without a city.") % {"code": code},
            )
        return code
    codes = list(roots.order_by("code").values_list("code", flat=True))
    if len(codes) != 1:
        refuse(
            "organisation_code",
            _("Name the city's own organisation among those without a city: %(codes)s.")
            % {"codes": ", ".join(codes) or "—"},
        )
        return ""
    return codes[0]


@transaction.atomic
def city_create(*, plan: CityPlan) -> tuple[City, Organization, User | None]:
    """Write the city, its host names, its organisation (kind city) and its manager, whose
    password is unusable until set through `set_password_link`. When adopting: the
    organisations without a city become its own, and a manager is created only for a new
    e-mail (None when none was given)."""
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
    if plan.adopt:
        Organization.objects.filter(city__isnull=True, code__in=plan.adopted).update(city=city)
        organisation = Organization.objects.get(code=plan.organisation_code)
        city_adopted.send(sender=City, city=city)
        if organisation.service_area is None and plan.area is not None:
            organisation.service_area = plan.area
            organisation.save(update_fields=["service_area"])
    else:
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
    if not plan.new_manager:
        email = plan.manager_email
        manager = (
            User.objects.filter(Q(username=email) | Q(email__iexact=email)).first()
            if email
            else None
        )
        return city, organisation, manager
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
