package charts

import (
	"encoding/json"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// SelfFinal is one unit's own claim beside the evaluator's score.
type SelfFinal struct {
	Label string
	Self  float64
	// Final is nil while the evaluator has not scored the unit.
	Final *float64
}

// SelfVsFinal is a grouped horizontal bar chart, "Penilaian mandiri" beside "Nilai akhir" for
// each unit, showing who over-claims. The caller passes rows in rank order; rank 1 is drawn on
// top. A unit without a final score gets "-" (a gap) in the second series.
func SelfVsFinal(title string, rows []SelfFinal, max float64) (json.RawMessage, error) {
	rows = topFirst(rows)
	labels := make([]string, len(rows))
	self := make([]opts.BarData, len(rows))
	final := make([]opts.BarData, len(rows))
	for i, r := range rows {
		labels[i] = r.Label
		self[i] = opts.BarData{Name: r.Label, Value: r.Self}
		final[i] = opts.BarData{Name: r.Label, Value: missing}
		if r.Final != nil {
			final[i].Value = *r.Final
		}
	}
	bar := unitBars(title, labels, max, opts.XAxis{})
	bar.AddSeries("Penilaian mandiri", self, ec.WithItemStyleOpts(opts.ItemStyle{Color: selfColor}))
	bar.AddSeries("Nilai akhir", final, ec.WithItemStyleOpts(opts.ItemStyle{Color: GradeColors[0]}))
	return optionJSON(bar)
}
