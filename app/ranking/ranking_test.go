package ranking

import (
	"testing"

	"github.com/rapor-rb/raporrb/app/assessment"
)

func TestRankUsesFinalOnlyWhenFinalAndSharesTies(t *testing.T) {
	names := map[string]string{"a": "Alfa", "b": "Bravo", "c": "Charlie", "d": "Delta"}
	fin := func(unit string, self, final float64) Entry {
		return Entry{Unit: unit, Name: names[unit], Status: assessment.Final, Self: assessment.Snapshot{Total: self},
			Final: &assessment.Snapshot{Total: final, Grade: "B"}}
	}
	draft := func(unit string, self float64) Entry {
		// A partial review gives a Final snapshot too; it must not count before finalization.
		return Entry{Unit: unit, Name: names[unit], Status: assessment.InReview, Self: assessment.Snapshot{Total: self},
			Final: &assessment.Snapshot{Total: 1}}
	}
	rows := Rank([]Entry{fin("a", 90, 70), draft("b", 80), fin("c", 75, 80), fin("d", 60, 70)})
	want := []struct {
		unit  string
		rank  int
		score float64
		final bool
	}{{"c", 1, 80, true}, {"b", 1, 80, false}, {"a", 3, 70, true}, {"d", 3, 70, true}}
	// c and b tie at 80: listed by name, so Bravo first.
	want[0], want[1] = want[1], want[0]
	for i, w := range want {
		r := rows[i]
		if r.Unit != w.unit || r.Rank != w.rank || r.Score != w.score || r.IsFinal() != w.final {
			t.Errorf("row %d = %s rank %d score %v final %v; want %+v", i, r.Unit, r.Rank, r.Score, r.IsFinal(), w)
		}
	}
}
