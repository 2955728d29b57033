package period

import (
	"fmt"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// Day is a calendar date, "2006-01-02", without a time or a zone: a whole day in the
// kabupaten's time zone. A deadline Day means through 23:59:59 of that day; an opening Day
// from 00:00. Stored and sent as that string, the least ambiguous form (no instant to misread
// in another zone).
type Day string

// ParseDay reads a "2006-01-02" date for the named field. Errors: Invalid with the field.
func ParseDay(field, s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Format(time.DateOnly) != s {
		return "", apperr.InField(field, "Tanggal harus berformat TTTT-BB-HH (mis. 2026-10-31), bukan %q.", s)
	}
	return Day(s), nil
}

// DayOf is the date of t in loc.
func DayOf(t time.Time, loc *time.Location) Day { return Day(t.In(loc).Format(time.DateOnly)) }

// Valid reports whether d is a well-formed date.
func (d Day) Valid() bool {
	_, err := ParseDay("", string(d))
	return err == nil
}

// Civil returns the year, month and day of d (zeros when d is not a date).
func (d Day) Civil() (int, time.Month, int) {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return 0, 0, 0
	}
	return t.Year(), t.Month(), t.Day()
}

// Start is 00:00 of d in loc.
func (d Day) Start(loc *time.Location) time.Time {
	y, m, day := d.Civil()
	return time.Date(y, m, day, 0, 0, 0, 0, loc)
}

// End is the first instant after d in loc (00:00 of the next day): d itself lasts until just
// before it.
func (d Day) End(loc *time.Location) time.Time {
	y, m, day := d.Civil()
	return time.Date(y, m, day+1, 0, 0, 0, 0, loc)
}

// AddDays returns the date n days after d (before, for a negative n).
func (d Day) AddDays(n int) Day {
	y, m, day := d.Civil()
	return Day(time.Date(y, m, day+n, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
}

var monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
	"September", "Oktober", "November", "Desember"}

// Long is d as people write it: "31 Oktober 2026".
func (d Day) Long() string {
	y, m, day := d.Civil()
	if y == 0 {
		return string(d)
	}
	return fmt.Sprintf("%d %s %d", day, monthsID[m-1], y)
}

// DueKind says which rule a deadline comes from.
type DueKind string

// The deadlines an assessment can be under.
const (
	DueSelf      DueKind = "self"      // the period's self-assessment deadline
	DueReview    DueKind = "review"    // returned items: the period's review deadline
	DueExtension DueKind = "extension" // the admin's extension of this assessment
	DueEvaluate  DueKind = "evaluate"  // the evaluators' review deadline (submitted sheets)
)

// Due is a whole-day deadline in the kabupaten's zone: what the user can still do is allowed
// through 23:59:59 of Day. Passed is the one judge of "is it past the deadline" (saves,
// submission, evidence, pages and the API all ask it).
type Due struct {
	Day  Day
	Zone *time.Location
	Kind DueKind
	// Reason is the extension's reason, for Kind DueExtension.
	Reason string
	// Opens is the first day the unit may answer ("" for no such limit).
	Opens Day
}

func (d Due) zone() *time.Location {
	if d.Zone == nil {
		return time.UTC
	}
	return d.Zone
}

// Ends is the first instant past the deadline: 00:00 of the day after Day, in the zone.
func (d Due) Ends() time.Time { return d.Day.End(d.zone()) }

// Passed reports whether now is past the deadline (from 00:00 of the next day on).
func (d Due) Passed(now time.Time) bool { return !now.Before(d.Ends()) }

// NotOpen reports whether now is before the opening day (from its 00:00 in the zone).
func (d Due) NotOpen(now time.Time) bool {
	return d.Opens != "" && now.Before(d.Opens.Start(d.zone()))
}

// DaysLeft is the number of calendar days from now's date to Day in the zone: 0 on the day
// itself, negative once past.
func (d Due) DaysLeft(now time.Time) int {
	today := DayOf(now, d.zone()).Start(time.UTC)
	return int(d.Day.Start(time.UTC).Sub(today).Hours() / 24)
}

// Text is the deadline as the UI says it: "s.d. 31 Oktober 2026 pukul 23.59 WITA".
func (d Due) Text() string {
	return "s.d. " + d.Day.Long() + " pukul 23.59 " + d.zone().String()
}

// Label names the deadline: "Batas pengisian", "Batas perbaikan", "Batas perpanjangan" or
// "Batas reviu".
func (d Due) Label() string {
	switch d.Kind {
	case DueReview:
		return "Batas perbaikan"
	case DueExtension:
		return "Batas perpanjangan"
	case DueEvaluate:
		return "Batas reviu"
	}
	return "Batas pengisian"
}
