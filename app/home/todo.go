package home

import (
	"fmt"
	"time"

	"github.com/rapor-rb/raporrb/app/assessment"
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
			out = append(out, Todo{Kind: "dikembalikan", Item: it, Urgent: true, Link: base + "?saring=dikembalikan"})
		case it.Status == assessment.Draft && due(it, now):
			out = append(out, Todo{Kind: "tenggat", Item: it, Urgent: true, Link: base})
		}
	}
	return out
}

// evaluatorTodos is what waits for an evaluator: new submissions and resubmissions to review,
// and review deadlines within a week.
func evaluatorTodos(items []Item, now time.Time) []Todo {
	var out []Todo
	for _, it := range items {
		link := fmt.Sprintf("/reviu/%d/%s/%s", it.Period, it.Instrument, it.Unit)
		switch {
		case it.Status == assessment.Submitted && it.Returns > 0:
			out = append(out, Todo{Kind: "diajukan-kembali", Item: it, Urgent: due(it, now), Link: link + "?saring=berubah"})
		case it.Status == assessment.Submitted:
			out = append(out, Todo{Kind: "diajukan", Item: it, Urgent: due(it, now), Link: link})
		case it.Status == assessment.InReview && due(it, now):
			out = append(out, Todo{Kind: "reviu-tenggat", Item: it, Urgent: true, Link: link})
		}
	}
	return out
}

// due reports whether the item's governing deadline falls within a week (or has passed while
// the item is still open).
func due(it Item, now time.Time) bool {
	return !it.Governs.IsZero() && it.Governs.Sub(now) <= soon
}

// adminTodos is what waits for the admin: deadlines of the period within a week, with how
// many sheets are still open before each.
func adminTodos(items []Item, now time.Time) []Todo {
	type key struct {
		inst  string
		label string
	}
	open := map[key]*Todo{}
	var order []key
	for _, it := range items {
		if it.Governs.IsZero() || !due(it, now) || it.Governs.Before(now) {
			continue
		}
		k := key{it.Instrument, it.DeadlineLabel}
		if open[k] == nil {
			it := it
			open[k] = &Todo{Kind: "jadwal", Item: it, Urgent: true, Link: fmt.Sprintf("/dasbor?tahun=%d", it.Period)}
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
