"""Static files: hashed and compressed by whitenoise."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Without collectstatic (tests, a quick `runserver`) fall back to the plain file names
    # instead of failing on every {% static %}.
    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
