"""The field app's words, rendered into its shell in the active language (Japanese or
English) from the project's .po files, so that the app has them offline. The app reads them
by key (ui.js `t()`); `{name}` marks a value the app puts in."""

from django.utils.translation import gettext_lazy as _

# This module is data: one line per string the app shows.
STRINGS = {
    "app_name": _("Inspections in the field"),
    "app_short_name": _("Field inspections"),
    "app_description": _(
        "Inspect the city's streetlights, parks and roads on a tablet, with or without a network."
    ),
    "skip": _("Skip to content"),
    "menu": _("Menu"),
    "nav_work": _("Today's work"),
    "nav_outbox": _("Outbox"),
    "nav_settings": _("Settings"),
    "loading": _("Loading…"),
    "needs_javascript": _("This app needs JavaScript."),
    "error_title": _("Something went wrong"),
    "never": _("never"),
    "not_inspected": _("Not inspected"),
    "required": _("(required)"),
    "choose": _("Choose…"),
    "signin_title": _("Sign in"),
    "signin_again_title": _("Sign in again"),
    "signin_again": _(
        "Your sign-in on this tablet has ended. Enter your password again: the {count} "
        "records in the outbox are kept and will be sent after you sign in."
    ),
    "username": _("User name"),
    "password": _("Password"),
    "device_name": _("Name of this tablet"),
    "device_default": _("Inspection tablet"),
    "signin": _("Sign in"),
    "signin_fill_all": _("Enter your user name, password and the tablet's name."),
    "signin_offline": _("No network: signing in needs one. Try again where there is a signal."),
    "signin_wrong": _("Wrong user name or password."),
    "signin_throttled": _("Too many failed sign-ins: wait a few minutes."),
    "signin_not_inspector": _("This account does not record inspections."),
    "not_inspector": _("Your account does not record inspections."),
    "signout": _("Sign out of this tablet"),
    "signout_waiting": _(
        "{count} records have not been sent yet. They stay on this tablet until someone "
        "signs in again. Sign out?"
    ),
    "signout_offline": _(
        "Signing out needs the network (the server must forget this tablet). Try again "
        "where there is a signal."
    ),
    "token_expires": _("Sign-in valid until"),
    "storage_used": _("Storage used"),
    "storage_kept": _("Storage"),
    "storage_persistent": _("kept (the browser will not clear it)"),
    "storage_best_effort": _("may be cleared by the browser when space runs short"),
    "storage_nearly_full": _(
        "Storage nearly full ({used} of {quota}): send the outbox before taking more photos."
    ),
    "app_release": _("App version"),
    "outbox_count": _("{count} records in the outbox"),
    "net_offline": _("Offline"),
    "net_online": _("Online"),
    "net_sending": _("Sending…"),
    "net_signed_out": _("Signed out"),
    "signed_out_banner": _(
        "Your sign-in has ended: sign in again to send the outbox. Nothing is lost."
    ),
    "offline_try_later": _("No network. Try again where there is a signal."),
    "pack_too_big": _("Too many assets in this area: zoom in and try again."),
    "pack_not_found": _("This assignment is no longer yours."),
    "pack_downloading": _("Downloading the work pack…"),
    "pack_downloaded": _("Downloaded: {count} assets are on this tablet now."),
    "pack_download": _("Download for offline work"),
    "pack_kept": _("Kept on this tablet"),
    "pack_kept_title": _("On this tablet"),
    "pack_kept_count": _("{count} assets from {packs} downloads."),
    "pack_none": _("Nothing downloaded yet: download an assignment or an area first."),
    "pack_refresh": _("Fetch changes"),
    "pack_refreshed": _("Up to date: {count} assets changed."),
    "assets_open": _("Open the list of assets"),
    "work_title": _("Today's work"),
    "assignments_title": _("My assignments"),
    "assignment_line": _("Due {due} · {count} assets"),
    "no_assignments": _("No open assignments."),
    "area_title": _("An area on the map"),
    "area_help": _("Download the assets you may inspect in the area on the map (at most 5,000)."),
    "area_open": _("Choose an area on the map"),
    "area_download": _("Download this area"),
    "area_pack": _("Area on the map"),
    "assets_title": _("Assets to inspect"),
    "list_more": _("Show more"),
    "list_count": _("{shown} of {count} assets shown"),
    "sort_by": _("Order"),
    "sort_near": _("Nearest first"),
    "sort_route": _("Route order"),
    "sort_due": _("Due first"),
    "map": _("Map"),
    "map_show": _("Show the map"),
    "map_hide": _("Hide the map"),
    "due_on": _("Due {day}"),
    "due_overdue": _("Overdue since {day}"),
    "due_none": _("No due date"),
    "open_faults": _("{count} open faults"),
    "forecast_likely": _("Likely to need work within 2 years ({share})"),
    "recorded_today": _("Recorded, in the outbox"),
    "code_label": _("Sticker code or ledger ID"),
    "code_open": _("Open"),
    "code_not_in_pack": _(
        "“{code}” is not among the assets on this tablet. Download its area or assignment first."
    ),
    "scan": _("Scan a sticker"),
    "scan_stop": _("Stop the camera"),
    "scan_camera": _("Camera view for scanning"),
    "scan_denied": _(
        "The camera is not allowed: allow it in the browser's settings, or type the code."
    ),
    "scan_no_camera": _("No camera found: type the code."),
    "scan_failed": _("Could not read the sticker: type the code."),
    "asset_missing_title": _("Not on this tablet"),
    "asset_missing": _("This asset is not in the work packs on this tablet."),
    "inspect_start": _("Inspect"),
    "back_to_list": _("Back to the list"),
    "last_grade": _("Last grade"),
    "last_inspected": _("Last inspected"),
    "next_due": _("Next inspection due"),
    "address": _("Address"),
    "owner": _("Managed by"),
    "stickers": _("Stickers"),
    "distance_here": _("From here"),
    "forecast": _("Forecast"),
    "forecast_line": _(
        "Chance of needing action: {one} within a year, {five} within 5 years ({two} "
        "within 2 years from now)"
    ),
    "forecast_none": _("No forecast yet"),
    "open_faults_title": _("Open faults"),
    "no_open_faults": _("No open faults."),
    "pending_title": _("Recorded on this tablet"),
    "status_new": _("New"),
    "status_accepted": _("Accepted"),
    "status_in_progress": _("In progress"),
    "inspect_title": _("Inspect {ledger} {type}"),
    "asset_has_faults": _("Open faults on this asset: {faults}"),
    "inspection_kind": _("Kind of inspection"),
    "kind_periodic": _("Periodic"),
    "kind_routine": _("Routine"),
    "kind_follow_up": _("Follow-up"),
    "checklist_title": _("Checklist (version {version})"),
    "answer_ok": _("OK"),
    "answer_defect": _("Defect"),
    "answer_na": _("N/A"),
    "number_range": _("{min} to {max} {unit}"),
    "defect_kind": _("What is wrong"),
    "defect_grade": _("Grade of this defect"),
    "defect_measurement": _("Measurement"),
    "defect_unit": _("Unit"),
    "defect_notes": _("Notes on the defect"),
    "defect_photo": _("Photo of the defect"),
    "defect_component": _("Part"),
    "defect_add": _("Add another defect"),
    "defect_remove": _("Remove this defect"),
    "extra_defects": _("Other defects"),
    "overall_title": _("Overall grade"),
    "grade_definitions": _("What each grade means"),
    "overall_grade": _("Overall grade"),
    "photos_title": _("Photos"),
    "photo_take": _("Take or add photos"),
    "photo_preparing": _("Preparing the photo…"),
    "photo_failed": _("This photo could not be read."),
    "photo_alt": _("Photo {n}"),
    "photo_remove": _("Remove"),
    "photo_remove_n": _("Remove photo {n}"),
    "notes": _("Notes"),
    "position_line": _("Position recorded (± {accuracy})"),
    "position_none": _("No position yet: allow location, or the record goes without one."),
    "save": _("Save the inspection"),
    "cancel_keep_draft": _("Leave (the draft is kept)"),
    "error_title_form": _("Please check:"),
    "error_grade": _("Choose the overall grade."),
    "error_defect_kind": _("Choose what is wrong for each defect."),
    "error_defect_grade": _("Choose a grade for each defect."),
    "error_number": _("Enter a number."),
    "error_range": _("{item}: enter a value from {min} to {max}."),
    "saved": _("Saved on the tablet: {what}. It will be sent when there is a network."),
    "outbox_title": _("Outbox"),
    "outbox_empty": _("The outbox is empty: everything has been sent."),
    "outbox_waiting": _("{count} records not yet sent"),
    "outbox_offline": _("Offline: the records are kept and sent when the network returns."),
    "outbox_signed_out": _("Sign in again to send: nothing is lost."),
    "outbox_retry": _("Could not reach the server: trying again in {seconds} s."),
    "outbox_failed": _("Sending stopped: {detail}"),
    "send_now": _("Send now"),
    "state_waiting": _("Waiting to be sent"),
    "state_sending": _("Sending"),
    "state_accepted": _("Received; photos still being sent"),
    "state_conflict": _("Held by the office"),
    "state_invalid": _("Refused by the server"),
    "state_failed": _("Failed"),
    "state_photos_missing": _("At the office, without some of its photos"),
    "photo_refused": _("Photo {n} was refused by the server: {code} {detail}"),
    "photo_lost": _("Photo {n} is no longer on this tablet (the browser removed it)."),
    "photos_missing_clear": _("Understood: take it out of the outbox"),
    "save_failed": _("The inspection could not be saved on this tablet"),
    "save_failed_full": _(
        "The tablet's storage is full. Send the outbox, then save again: what you entered is kept."
    ),
    "reason_offline": _("No network when last tried."),
    "reason_server": _("The server said: {code} {detail}"),
    "photos_sent": _("Photos: {sent} of {count} sent"),
    "photos_none": _("No photos"),
    "attempts": _("Tried {count} times"),
    "discard": _("Discard"),
    "discard_confirm": _(
        "Discard this record of {ledger}? It has not reached the office and cannot be recovered."
    ),
    "performed_at": _("Inspected at"),
    "defects": _("Defects"),
    "conflict_changed_content": _(
        "The office already has a different record with the same number (No. {quarantine}"
        " in the holding list)."
    ),
    "conflict_owner_changed": _(
        "This asset was passed to another section after you downloaded it (No. "
        "{quarantine} in the holding list)."
    ),
    "conflict_asset_retired": _(
        "This asset was withdrawn from service after you downloaded it (No. {quarantine} "
        "in the holding list)."
    ),
    "conflict_office_will": _(
        "Nothing is lost: a manager compares both versions and keeps the right one. You "
        "need not record it again."
    ),
    "conflict_your_version": _("Your record"),
    "conflict_office_version": _("At the office"),
    "conflict_loading": _("Loading…"),
    "conflict_not_visible": _("The office's record is not visible to you."),
    "conflict_asset_now_retired": _("The asset is now withdrawn from service."),
    "conflict_owner_now": _("Managed now by: {owner}"),
    "conflict_offline": _("Offline: shown when the network returns."),
    "sent_title": _("Sent from this tablet"),
    "sent_none": _("Nothing sent in the last week."),
    "sent_line": _("{ledger} · {grade} · sent {when} · {photos} photos"),
}


def strings() -> dict[str, str]:
    """Every string in the active language."""
    return {key: str(text) for key, text in STRINGS.items()}
