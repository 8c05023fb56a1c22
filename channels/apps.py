from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "Channels (LINE, e-mail)"

    def ready(self):
        from channels import line
        from reports import notices

        # LINE users who reported hear of their report in LINE, beside the e-mails.
        notices.resident_channel_add(line.report_changed)
