package ranking

import (
	"encoding/json"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/charts"
)

// Chart is the ranked bar chart of rows: coloured by grade once final, with a line at each
// predicate's minimum total (WBK 75, WBBM 85, …).
func Chart(inst *instrument.Instrument, rows []Row) (json.RawMessage, error) {
	bars := make([]charts.RankedBar, len(rows))
	for i, r := range rows {
		bars[i] = charts.RankedBar{Label: r.Name, Value: r.Score, GradeRank: -1, Final: r.IsFinal()}
		for j, g := range inst.Grades {
			if g.Key == r.Grade {
				bars[i].GradeRank = j
			}
		}
	}
	return charts.RankedBars(inst.Title, bars, inst.ScaleMax, Thresholds(inst))
}

// Thresholds are the predicates' minimum totals (WBK 75, WBBM 85), drawn as lines on charts.
func Thresholds(inst *instrument.Instrument) []charts.Threshold {
	var lines []charts.Threshold
	for _, p := range inst.Predicates {
		for _, rule := range p.Rules {
			if rule.Node == instrument.TotalNode && rule.Min != nil {
				lines = append(lines, charts.Threshold{Label: p.Display(), Value: *rule.Min})
			}
		}
	}
	return lines
}
