package assessment

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// The self deadline of the fixture is 30 November 2026, a whole day in the kabupaten's zone:
// in each of the three zones a save at 23:59:59 of that day is allowed and one at 00:00:00 of
// the next is refused, saying the deadline in that zone; submission and evidence follow the
// same judge.
func TestDeadlineIsTheWholeNamedDayInEachZone(t *testing.T) {
	for _, z := range []struct {
		abbr  string
		hours int
	}{{"WIB", 7}, {"WITA", 8}, {"WIT", 9}} {
		t.Run(z.abbr, func(t *testing.T) {
			sv, _ := fixture(t)
			loc := time.FixedZone(z.abbr, z.hours*3600)
			sv.Zone = func(context.Context) *time.Location { return loc }
			ctx := context.Background()
			at := func(tm time.Time) *Service {
				c := *sv
				c.Now = func() time.Time { return tm }
				return &c
			}
			last := at(time.Date(2026, 11, 30, 23, 59, 59, 0, loc))
			first := at(time.Date(2026, 12, 1, 0, 0, 0, 0, loc))

			if _, _, err := last.SaveAnswer(ctx, camat, sheetID, opt("P.MP.PM.1.a", "Ya")); err != nil {
				t.Fatalf("save at 23:59:59 of the named day = %v", err)
			}
			due, err := last.Deadline(ctx, mustGet(t, sv))
			if err != nil || due.Passed(last.Now()) || !due.Passed(first.Now()) {
				t.Fatalf("Deadline = %+v, %v", due, err)
			}
			_, _, err = first.SaveAnswer(ctx, camat, sheetID, AnswerInput{Indicator: "P.MP.PM.1.a", Answer: opt("", "Tidak").Answer, Rev: 1})
			if !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("save at 00:00:00 of the next day = %v, want Forbidden", err)
			}
			if want := "s.d. 30 November 2026 pukul 23.59 " + z.abbr; !strings.Contains(apperr.Message(err), want) {
				t.Errorf("refusal %q does not say %q", apperr.Message(err), want)
			}
			if _, err := first.AddLink(ctx, camat, sheetID, "P.MP.PM.1.a", "https://contoh.go.id/sk.pdf", "SK"); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("evidence at 00:00:00 of the next day = %v, want Forbidden", err)
			}
			if _, err := first.Submit(ctx, camat, sheetID, false); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("submit at 00:00:00 of the next day = %v, want Forbidden", err)
			}
			if _, err := last.AddLink(ctx, camat, sheetID, "P.MP.PM.1.a", "https://contoh.go.id/sk.pdf", "SK"); err != nil {
				t.Errorf("evidence at 23:59:59 = %v", err)
			}
			if _, err := last.Submit(ctx, camat, sheetID, false); err != nil {
				t.Errorf("submit at 23:59:59 = %v", err)
			}
		})
	}
}

// An extension governs when it is later than the period's deadline and is shown with its
// reason; returned items follow the review deadline.
func TestDeadlineOfExtensionAndReturnedItems(t *testing.T) {
	sv, _ := fixture(t)
	ctx := context.Background()
	a := mustGet(t, sv)
	due, err := sv.Deadline(ctx, a)
	if err != nil || due.Day != "2026-11-30" || due.Label() != "Batas pengisian" {
		t.Fatalf("self deadline = %+v, %v", due, err)
	}
	a.Status = Returned
	if due, _ = sv.Deadline(ctx, a); due.Day != "2026-12-23" || due.Label() != "Batas perbaikan" {
		t.Errorf("returned = %+v, want the review deadline", due)
	}
	a.Status = Draft
	a.Extension = &Extension{Until: "2026-11-20", Reason: "lebih awal"}
	if due, _ = sv.Deadline(ctx, a); due.Day != "2026-11-30" {
		t.Errorf("an earlier extension shortened the deadline: %+v", due)
	}
	a.Extension = &Extension{Until: "2026-12-10", Reason: "banjir"}
	if due, _ = sv.Deadline(ctx, a); due.Day != "2026-12-10" || due.Reason != "banjir" || due.Label() != "Batas perpanjangan" {
		t.Errorf("extension = %+v", due)
	}
}

func mustGet(t *testing.T, sv *Service) *Assessment {
	t.Helper()
	a, err := sv.Store.ByID(context.Background(), sheetID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
