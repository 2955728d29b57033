package period

import (
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
)

var zones = []struct {
	name string
	loc  *time.Location
}{
	{"WIB", time.FixedZone("WIB", 7*3600)},
	{"WITA", time.FixedZone("WITA", 8*3600)},
	{"WIT", time.FixedZone("WIT", 9*3600)},
}

// A deadline day lasts through 23:59:59 in the kabupaten's zone, in each of the three zones.
func TestDuePassedAtTheEndOfTheNamedDay(t *testing.T) {
	for _, z := range zones {
		t.Run(z.name, func(t *testing.T) {
			d := Due{Day: "2026-10-31", Zone: z.loc}
			last := time.Date(2026, 10, 31, 23, 59, 59, 0, z.loc)
			first := time.Date(2026, 11, 1, 0, 0, 0, 0, z.loc)
			if d.Passed(last) {
				t.Errorf("23:59:59 of the named day counts as past")
			}
			if !d.Passed(first) {
				t.Errorf("00:00:00 of the next day does not count as past")
			}
			if d.Passed(time.Date(2026, 10, 31, 0, 0, 0, 0, z.loc)) {
				t.Errorf("the named day's first second counts as past")
			}
			// The same instants seen in UTC judge the same.
			if d.Passed(last.UTC()) || !d.Passed(first.UTC()) {
				t.Errorf("judged differently in UTC")
			}
			if got, want := d.Text(), "s.d. 31 Oktober 2026 pukul 23.59 "+z.name; got != want {
				t.Errorf("Text() = %q, want %q", got, want)
			}
			for _, tc := range []struct {
				at   time.Time
				want int
			}{{time.Date(2026, 10, 28, 23, 0, 0, 0, z.loc), 3}, {last, 0}, {first, -1}} {
				if got := d.DaysLeft(tc.at); got != tc.want {
					t.Errorf("DaysLeft(%v) = %d, want %d", tc.at, got, tc.want)
				}
			}
		})
	}
}

// Answering opens at 00:00 of the opening day in the zone.
func TestDueNotOpenBeforeTheOpeningDay(t *testing.T) {
	for _, z := range zones {
		d := Due{Day: "2026-10-31", Opens: "2026-01-15", Zone: z.loc}
		if !d.NotOpen(time.Date(2026, 1, 14, 23, 59, 59, 0, z.loc)) || d.NotOpen(time.Date(2026, 1, 15, 0, 0, 0, 0, z.loc)) {
			t.Errorf("%s: opening judged wrong", z.name)
		}
	}
}

func TestParseDayNamesTheField(t *testing.T) {
	for _, bad := range []string{"", "31-10-2026", "2026-02-30", "2026-10-31T00:00:00Z", "2026-1-5"} {
		if _, err := ParseDay("self_deadline", bad); err == nil {
			t.Errorf("ParseDay(%q) accepted", bad)
		} else if got := err.Error(); apperr.FieldOf(err) != "self_deadline" || strings.Contains(got, "self_deadline") {
			t.Errorf("ParseDay(%q) = %q (field %q), want the field apart from the message", bad, got, apperr.FieldOf(err))
		}
	}
	if d, err := ParseDay("opens", "2026-01-15"); err != nil || d != "2026-01-15" || d.AddDays(17) != "2026-02-01" || d.Long() != "15 Januari 2026" {
		t.Errorf("ParseDay = %q, %v", d, err)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	titles := map[string]string{"zi-2021": "Zona Integritas", "sakip-2021": "SAKIP"}
	known := func(id string) (string, bool) { t, ok := titles[id]; return t, ok }
	ok := Window{Instrument: "zi-2021", Opens: "2026-01-15", SelfDeadline: "2026-09-30", ReviewDeadline: "2026-11-30"}
	for _, tc := range []struct {
		name  string
		p     Period
		field string
	}{
		{"deadline before opening", Period{Year: 2026, Instruments: []Window{ok, {Instrument: "sakip-2021", Opens: "2026-03-01", SelfDeadline: "2026-02-28", ReviewDeadline: "2026-11-30"}}}, "instruments[1].self_deadline"},
		{"review before self", Period{Year: 2026, Instruments: []Window{{Instrument: "zi-2021", Opens: "2026-01-15", SelfDeadline: "2026-09-30", ReviewDeadline: "2026-09-29"}}}, "instruments[0].review_deadline"},
		{"unknown instrument", Period{Year: 2026, Instruments: []Window{{Instrument: "zi-2099", Opens: "2026-01-15", SelfDeadline: "2026-09-30", ReviewDeadline: "2026-11-30"}}}, "instruments[0].instrument"},
		{"twice", Period{Year: 2026, Instruments: []Window{ok, ok}}, "instruments[1].instrument"},
		{"bad date", Period{Year: 2026, Instruments: []Window{{Instrument: "zi-2021", Opens: "15-01-2026", SelfDeadline: "2026-09-30", ReviewDeadline: "2026-11-30"}}}, "instruments[0].opens"},
		{"year", Period{Year: 1999}, "year"},
	} {
		// The field is for API clients; the message is for people: no field path in it.
		err := tc.p.Validate(known)
		if err == nil || apperr.FieldOf(err) != tc.field || strings.Contains(err.Error(), "Kolom") || strings.Contains(err.Error(), "instruments[") {
			t.Errorf("%s: %v (field %q), want field %s", tc.name, err, apperr.FieldOf(err), tc.field)
		}
	}
	if err := (Period{Year: 2026, Instruments: []Window{ok}}).Validate(known); err != nil {
		t.Errorf("valid period: %v", err)
	}
}
