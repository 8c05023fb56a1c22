"""The loop closed for the resident: the receipt says by when and says honestly when that has
passed; a fix shows its "after" photos; for STILL_BROKEN_DAYS after the fix the resident's
own link may say "still broken" once, which reopens the report and lifts it in the queue;
standard notes reach each resident in their own language, free text labelled as Japanese."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from reports import priority, services, standard_notes
from reports.models import Photo, Receipt, Report, ReportEvent
from tests import factories

S = Report.Status


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def _run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return _run


@pytest.fixture
def report(submit, lamp_out, light):
    return submit(lamp_out, asset=light, email="resident@example.com", language="en")


def _status(report, **query) -> tuple[int, str]:
    answer = Client().get(f"/r/{factories.receipt_token(report)}", query)
    return answer.status_code, answer.content.decode()


def _fixed(report, staff, run, **fields):
    for step in (S.ACCEPTED, S.IN_PROGRESS):
        run(services.report_transition, report=report, to=step, acting_user=staff)
    return run(services.report_transition, report=report, to=S.FIXED, acting_user=staff, **fields)


def _broken(report, **data):
    return Client().post(f"/r/{factories.receipt_token(report)}/still-broken", data)


# --- By when -------------------------------------------------------------------------------


def test_the_receipt_shows_the_target_date(report):
    _, page = _status(report)

    assert timezone.localtime(report.respond_by).strftime("%Y-%m-%d") in page
    assert "overdue" not in page.lower()


def test_the_receipt_says_when_the_target_has_passed(report):
    Report.objects.filter(pk=report.pk).update(
        respond_by=timezone.now() - datetime.timedelta(days=2)
    )

    _, page = _status(report)

    assert "overdue" in page.lower() or "past" in page.lower()


def test_an_assignments_due_date_is_the_target(report, manager, city, run):
    due = timezone.localdate() + datetime.timedelta(days=20)
    run(
        services.report_assign,
        report=report,
        assignee=city["contractor"],
        due_on=due,
        acting_user=manager,
    )
    report.refresh_from_db()

    assert report.target_date == due
    assert due.isoformat() in _status(report)[1]


# --- After photos --------------------------------------------------------------------------


def test_a_fix_with_an_after_photo_shows_it_on_the_receipt_and_in_the_mail(
    report, section_staff, run
):
    mail.outbox.clear()
    after = factories.photo(factories.jpeg(colour=(30, 200, 30), name="after.jpg"))

    _fixed(report, section_staff, run, after_photos=[after], note_code="repaired")

    after.refresh_from_db()
    assert after.kind == Photo.Kind.AFTER and after.report_id == report.pk
    token = factories.receipt_token(report)
    _, page = _status(report)
    assert str(after.token) in page
    photo = Client().get(f"/r/{token}/{after.token}/photo.jpg")
    assert photo.status_code == 200
    fixed_mail = [m for m in mail.outbox if m.to == ["resident@example.com"]][-1]
    assert str(after.token) in fixed_mail.body
    assert "The repair is finished" in fixed_mail.body


# --- Still broken --------------------------------------------------------------------------


def test_still_broken_reopens_the_report_and_lifts_it_in_the_queue(
    report, section_staff, run, django_capture_on_commit_callbacks
):
    _fixed(report, section_staff, run)
    report.refresh_from_db()
    before = report.priority_base
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = _broken(report, text="まだ暗いです", photos=[factories.jpeg(name="dark.jpg")])

    assert answer.status_code == 302 and "reopened=1" in answer["Location"]
    report.refresh_from_db()
    assert report.status == S.ACCEPTED and report.ended_at is None
    assert report.still_broken_count == 1
    assert report.events.filter(kind=ReportEvent.Kind.STILL_BROKEN).count() == 1
    assert report.photos.filter(kind=Photo.Kind.REPORTED).count() == 1
    assert report.priority_base == before + 20
    with translation.override("en"):
        assert any("still broken" in reason for _, reason in priority.reasons(report))
    assert any("doro@city.example" in m.to for m in mail.outbox)


def test_still_broken_is_said_once_per_receipt(report, section_staff, run):
    _fixed(report, section_staff, run)
    _broken(report)
    run(services.report_transition, report=report, to=S.FIXED, acting_user=section_staff)

    again = _broken(report, text="また")

    assert again.status_code == 409
    report.refresh_from_db()
    assert report.status == S.FIXED and report.still_broken_count == 1


def test_still_broken_is_offered_only_within_the_days_after_the_fix(
    report, section_staff, run, settings
):
    _, open_page = _status(report)
    assert "still-broken" not in open_page  # not fixed: not offered
    assert _broken(report).status_code == 409

    _fixed(report, section_staff, run)
    assert "still-broken" in _status(report)[1]
    Report.objects.filter(pk=report.pk).update(
        ended_at=timezone.now() - datetime.timedelta(days=settings.STILL_BROKEN_DAYS, minutes=1)
    )

    assert "still-broken" not in _status(report)[1]
    assert _broken(report).status_code == 409
    report.refresh_from_db()
    assert report.status == S.FIXED and report.still_broken_count == 0


def test_a_public_only_link_cannot_say_still_broken(report, section_staff, run):
    _fixed(report, section_staff, run)
    public = Receipt.objects.create(report=report, origin=report, public_only=True)

    answer = Client().post(f"/r/{public.token}/still-broken", {"text": "x"})

    assert answer.status_code == 409
    report.refresh_from_db()
    assert report.status == S.FIXED


def test_a_bad_photo_with_still_broken_changes_nothing(report, section_staff, run):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _fixed(report, section_staff, run)

    answer = _broken(
        report, text="まだ", photos=[SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")]
    )

    assert answer.status_code == 400
    assert "まだ" in answer.content.decode()  # the resident's words come back
    report.refresh_from_db()
    assert report.status == S.FIXED and report.still_broken_count == 0


def test_an_unknown_receipt_cannot_say_still_broken(db):
    assert Client().post("/r/not-a-token/still-broken").status_code == 404


# --- Words in the resident's language ------------------------------------------------------


def test_notes_are_private_unless_ticked(report, section_staff, run):
    mail.outbox.clear()
    run(
        services.report_transition,
        report=report,
        to=S.ACCEPTED,
        note="担当者の携帯 090-1111-2222",
        acting_user=section_staff,
    )

    assert "090-1111-2222" not in _status(report)[1]
    assert all("090-1111-2222" not in m.body for m in mail.outbox)


def test_a_vietnamese_resident_reads_the_standard_note_in_vietnamese(
    submit, lamp_out, light, section_staff, run
):
    report = submit(lamp_out, asset=light, email="ban@example.vn", language="vi")
    mail.outbox.clear()
    vietnamese = standard_notes.text("parts_ordered", "vi")
    assert vietnamese != standard_notes.text("parts_ordered", "en")

    run(
        services.report_transition,
        report=report,
        to=S.ACCEPTED,
        note_code="parts_ordered",
        note="来週交換予定",
        public_note=True,
        acting_user=section_staff,
    )

    body = [m.body for m in mail.outbox if m.to == ["ban@example.vn"]][-1]
    assert vietnamese in body and "来週交換予定" in body
    page = Client(headers={"accept-language": "vi"}).get(f"/r/{factories.receipt_token(report)}")
    html = page.content.decode()
    assert vietnamese in html and "来週交換予定" in html
    japanese = standard_notes.text("parts_ordered", "ja")
    assert japanese not in html
