#!/usr/bin/python3
"""Reads a crew calendar feed as a calendar app would: parsed by the icalendar library (Debian's
python3-icalendar), not by salesops' own code. Checks what RFC 5545 asks of a published
calendar, then prints the calendar's name and events as JSON, for the test to compare with the
schedule it asked scheduling for.

Usage: check_calendar_feed.py <feed.ics>
Exit status 1, with the reason on stderr, when the feed is not one an app could subscribe to.
"""
import datetime
import json
import sys

from icalendar import Calendar


def fail(message):
    print("calendar feed: " + message, file=sys.stderr)
    sys.exit(1)


def utc_seconds(component, name):
    value = component.decoded(name)
    if not isinstance(value, datetime.datetime):
        fail(f"{name} of {component.get('UID')} is a {type(value).__name__}, not a DATE-TIME")
    if value.tzinfo is None or value.utcoffset() != datetime.timedelta(0):
        fail(f"{name} of {component.get('UID')} is not in UTC: {value!r}")
    return int(value.timestamp())


def main():
    with open(sys.argv[1], "rb") as feed:
        raw = feed.read()

    # 3.1: every line ends in CRLF and is at most 75 octets; the whole is UTF-8.
    if not raw.endswith(b"\r\n"):
        fail("does not end with CRLF")
    for number, line in enumerate(raw.split(b"\r\n")[:-1], start=1):
        if b"\n" in line or b"\r" in line:
            fail(f"line {number} has a bare line break")
        if len(line) > 75:
            fail(f"line {number} is {len(line)} octets long")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(f"not UTF-8: {error}")

    calendar = Calendar.from_ical(raw)
    if calendar.name != "VCALENDAR":
        fail(f"the outer component is {calendar.name}")
    for name, expected in (("VERSION", "2.0"), ("METHOD", "PUBLISH")):
        if str(calendar.get(name)) != expected:
            fail(f"{name} is {calendar.get(name)!r}, not {expected}")
    for name in ("PRODID", "X-WR-CALNAME"):
        if not str(calendar.get(name, "")):
            fail(f"no {name}")

    events = []
    uids = set()
    for event in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            if name not in event:
                fail(f"an event without {name}: {event.to_ical()!r}")
        uid = str(event["UID"])
        if uid in uids:
            fail(f"UID {uid} twice")
        uids.add(uid)
        start = utc_seconds(event, "DTSTART")
        end = utc_seconds(event, "DTEND")
        utc_seconds(event, "DTSTAMP")
        if end < start:
            fail(f"{uid} ends before it starts")
        events.append({
            "uid": uid,
            "summary": str(event["SUMMARY"]),
            "description": str(event.get("DESCRIPTION", "")),
            "status": str(event.get("STATUS", "")),
            "start": start,
            "end": end,
        })
    json.dump({"name": str(calendar["X-WR-CALNAME"]), "events": events}, sys.stdout,
              ensure_ascii=False)


if __name__ == "__main__":
    main()
