"""Organisations and users move here from assets, keeping their tables: the state moves,
the database does not (nothing is written). Existing databases record this migration as
applied when they first migrate after the move (accounts/management/commands/migrate.py):
migrations of other apps that point at AUTH_USER_MODEL depend on it."""

import django.contrib.auth.models
import django.contrib.auth.validators
import django.contrib.gis.db.models.fields
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    # Only what made the tables: this must be satisfiable on a database of any age.
    dependencies = [
        ("assets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Organization",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        ("name_en", models.CharField(blank=True, max_length=200, verbose_name="name (English)")),
                        ("kind", models.CharField(choices=[("city", "city"), ("prefecture", "prefecture"), ("section", "section"), ("association", "neighbourhood association"), ("utility", "utility company"), ("contractor", "contractor")], max_length=20, verbose_name="kind")),
                        ("contact_email", models.EmailField(blank=True, help_text="Receives notices of new faults.", max_length=254, verbose_name="contact email")),
                        ("phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                        ("service_area", django.contrib.gis.db.models.fields.MultiPolygonField(blank=True, null=True, srid=4326, verbose_name="service area")),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("parent", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="children", to="accounts.organization", verbose_name="parent organisation")),
                    ],
                    options={
                        "verbose_name": "organisation",
                        "verbose_name_plural": "organisations",
                        "db_table": "assets_organization",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="User",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("password", models.CharField(max_length=128, verbose_name="password")),
                        ("last_login", models.DateTimeField(blank=True, null=True, verbose_name="last login")),
                        ("is_superuser", models.BooleanField(default=False, help_text="Designates that this user has all permissions without explicitly assigning them.", verbose_name="superuser status")),
                        ("username", models.CharField(error_messages={"unique": "A user with that username already exists."}, help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.", max_length=150, unique=True, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name="username")),
                        ("first_name", models.CharField(blank=True, max_length=150, verbose_name="first name")),
                        ("last_name", models.CharField(blank=True, max_length=150, verbose_name="last name")),
                        ("email", models.EmailField(blank=True, max_length=254, verbose_name="email address")),
                        ("is_staff", models.BooleanField(default=False, help_text="Designates whether the user can log into this admin site.", verbose_name="staff status")),
                        ("is_active", models.BooleanField(default=True, help_text="Designates whether this user should be treated as active. Unselect this instead of deleting accounts.", verbose_name="active")),
                        ("date_joined", models.DateTimeField(default=django.utils.timezone.now, verbose_name="date joined")),
                        ("role", models.CharField(blank=True, choices=[("manager", "manager"), ("section_staff", "section staff"), ("inspector", "inspector"), ("viewer", "viewer")], max_length=20, verbose_name="role")),
                        ("groups", models.ManyToManyField(blank=True, help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.", related_name="user_set", related_query_name="user", to="auth.group", verbose_name="groups")),
                        ("user_permissions", models.ManyToManyField(blank=True, help_text="Specific permissions for this user.", related_name="user_set", related_query_name="user", to="auth.permission", verbose_name="user permissions")),
                        ("organization", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="members", to="accounts.organization", verbose_name="organisation")),
                    ],
                    options={
                        "verbose_name": "user",
                        "verbose_name_plural": "users",
                        "db_table": "assets_user",
                        "constraints": [models.CheckConstraint(condition=models.Q(models.Q(("organization__isnull", True), ("role", "")), models.Q(("organization__isnull", False), models.Q(("role", ""), _negated=True)), _connector="OR"), name="user_role_goes_with_organization")],
                    },
                    managers=[
                        ("objects", django.contrib.auth.models.UserManager()),
                    ],
                ),
            ],
            database_operations=[],
        ),
    ]
