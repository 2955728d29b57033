package home

import (
	"fmt"
	"time"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/period"
)

// soon is how far ahead a deadline counts as one that waits for the user.
const soon = 7 * 24 * time.Hour

// Todo is one thing waiting for the user: what (Kind, worded by the home/todo template), about
// which assessment, and where to do it.
type Todo struct {
	Kind string // dikembalikan, tenggat, diajukan, diajukan-kembali, reviu-tenggat, jadwal
	Item Item
	Link string
	// Count is, for a deadline of the whole period (admin), how many sheets are still open.
	Count int
	// Due is the deadline that governs it, when HasDue.
	Due    period.Due
	HasDue bool
	// Urgent marks a deadline within a week, or returned items.
	Urgent bool
}

// unitTodos is what waits for a kecamatan: items returned for revision, and deadlines of
// sheets still being filled in within a week.
func unitTodos(items []Item, now time.Time) []Todo {
	var out []Todo
	for _, it := range items {
		base := fmt.Sprintf("/penilaian/%d/%s/%s", it.Period, it.Instrument, it.Unit)
		switch {
		case it.Status == assessment.Returned:
			out = append(out, Todo{Kind: "dikembalikan", Item: it, Due: it.Due, HasDue: it.HasWindow, Urgent: true, Link: base + "?saring=dikembalikan"})
		case it.Status == assessment.Draft && it.HasWindow && within(it.Due, now):
			out = append(out, Todo{Kind: "tenggat", Item: it, Due: it.Due, HasDue: true, Urgent: true, Link: base})
		}
	}
	return out
}

// evaluatorTodos is what waits for an evaluator: new submissions and resubmissions to review,
// sheets an admin reopened, and review deadlines within a week.
func evaluatorTodos(items []Item, now time.Time) []Todo {
	var out []Todo
	for _, it := range items {
		link := fmt.Sprintf("/reviu/%d/%s/%s", it.Period, it.Instrument, it.Unit)
		t := Todo{Item: it, Due: it.ReviewDue, HasDue: it.HasReviewDue, Link: link,
			Urgent: it.HasReviewDue && within(it.ReviewDue, now)}
		switch {
		case it.Status == assessment.Submitted && it.Returns > 0:
			t.Kind, t.Link = "diajukan-kembali", link+"?saring=berubah"
		case it.Status == assessment.Submitted:
			t.Kind = "diajukan"
		case it.Status == assessment.InReview && it.ReopenedAt != nil:
			t.Kind = "dibuka-kembali"
		case it.Status == assessment.InReview && t.Urgent:
			t.Kind = "reviu-tenggat"
		default:
			continue
		}
		out = append(out, t)
	}
	return out
}

// within reports whether a deadline falls within a week (or has passed).
func within(d period.Due, now time.Time) bool {
	return d.Day != "" && d.Ends().Sub(now) <= soon
}

// adminTodos is what waits for the admin: deadlines of the period within a week, with how
// many sheets are still open before each.
func adminTodos(items []Item, now time.Time) []Todo {
	type key struct {
		inst string
		kind period.DueKind
		day  period.Day
	}
	open := map[key]*Todo{}
	var order []key
	for _, it := range items {
		d, ok := it.Due, it.HasWindow
		if !ok {
			d, ok = it.ReviewDue, it.HasReviewDue
		}
		if !ok || !within(d, now) || d.Passed(now) {
			continue
		}
		k := key{it.Instrument, d.Kind, d.Day}
		if open[k] == nil {
			open[k] = &Todo{Kind: "jadwal", Item: it, Due: d, HasDue: true, Urgent: true, Link: fmt.Sprintf("/dasbor?tahun=%d", it.Period)}
			order = append(order, k)
		}
		open[k].Count++
	}
	out := make([]Todo, 0, len(order))
	for _, k := range order {
		out = append(out, *open[k])
	}
	return out
}
