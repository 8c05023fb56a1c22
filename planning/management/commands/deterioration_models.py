"""manage.py deterioration_models: each asset type's deterioration model, from its history."""

from django.core.management.base import BaseCommand, CommandError

from assets.models import AssetType
from planning import deterioration, forecasting
from planning.history import runs_of_type
from planning.models import Forecast


class Command(BaseCommand):
    help = (
        "Estimate each asset type's deterioration model from its inspections (hazard per "
        "grade with 95 % intervals, the misreading rate where the data shows one, the "
        "one-year transition matrix, expected years from each grade to the worst) and print "
        "it. Types with too few inspections say so. With --save the models (and those of the "
        "strata with enough history) are stored for the planning screens and every asset's "
        "forecast is rewritten: run it nightly. Exit codes: 0 done; 2 an unknown --type."
    )

    def add_arguments(self, parser):
        parser.add_argument("--type", action="append", default=[], dest="types", help="type code")
        parser.add_argument(
            "--save", action="store_true", help="store the models and rewrite the forecasts"
        )

    def handle(self, *args, types, save, **options):
        chosen = AssetType.objects.order_by("sort_order", "code")
        if types:
            chosen = chosen.filter(code__in=types)
            unknown = sorted(set(types) - set(chosen.values_list("code", flat=True)))
            if unknown:
                raise CommandError(f"unknown asset type: {', '.join(unknown)}", returncode=2)
        for asset_type in chosen:
            codes = asset_type.grading_scale.codes()
            if save:
                stored = forecasting.models_fit(asset_type)
                model = forecasting.as_model(stored[0])
                strata = sum(s.enough for s in stored[1:])
                forecasts = Forecast.objects.filter(asset__asset_type=asset_type).count()
                self.stdout.write(
                    f"{asset_type.code}: stored, {strata} strata with their own model, "
                    f"{forecasts} forecasts"
                )
            else:
                model = deterioration.fit_joint(list(runs_of_type(asset_type)), len(codes))
            self.stdout.write(f"{asset_type.code} ({asset_type.name_ja}): {model.pairs} pairs")
            if not model.enough:
                self.stdout.write(f"  no model: {model.why_not}")
                continue
            for index, code in enumerate(codes[:-1]):
                self.stdout.write(
                    f"  {code} → {codes[index + 1]}: hazard {model.hazards[index]:.3f}/year "
                    f"(95 % {model.low[index]:.3f}–{model.high[index]:.3f}), "
                    f"{1 / model.hazards[index]:.1f} years on average"
                )
            if model.method == "joint":
                self.stdout.write(f"  misreading one grade: {model.misread:.1%} of inspections")
            self.stdout.write(
                "  one year: "
                + " | ".join(" ".join(f"{p:.2f}" for p in row) for row in model.matrix(1.0))
            )
            self.stdout.write(
                f"  {codes[0]} to {codes[-1]}: {model.expected_years(0, len(codes) - 1):.1f} years"
            )
