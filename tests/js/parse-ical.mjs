// Parses an iCalendar file with Mozilla's ical.js (Thunderbird's parser) and prints what a
// calendar app would show, as JSON, for the Python tests to compare.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], "utf8")));
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    summary: event.summary,
    description: event.description,
    location: event.location,
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    geo: component.getFirstPropertyValue("geo"),
    categories: component.getFirstProperty("categories")?.getValues() ?? [],
    alarms: component.getAllSubcomponents("valarm").map((a) => a.getFirstPropertyValue("trigger").toString()),
  };
});
console.log(JSON.stringify({
  name: calendar.getFirstPropertyValue("x-wr-calname"),
  refresh: calendar.getFirstProperty("refresh-interval")?.getFirstValue()?.toString() ?? null,
  events,
}));
