package charts

import (
	"encoding/json"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// ProgressRow is one unit's work on its indicators before a deadline.
type ProgressRow struct {
	Label                         string
	Answered, Evidenced, Reviewed int
	// Total is the number of indicators; 0 draws every bar at 0 %.
	Total int
}

// Progress draws three grouped horizontal bars per unit, the share of indicators answered
// ("Dijawab"), with evidence ("Berbukti") and reviewed ("Direviu"), each n/Total×100 rounded to
// one decimal. The three overlap (a reviewed indicator is also answered), so they are not
// stacked. Rows keep the caller's order, the first on top.
func Progress(title string, rows []ProgressRow) (json.RawMessage, error) {
	rows = topFirst(rows)
	labels := make([]string, len(rows))
	answered := make([]opts.BarData, len(rows))
	evidenced := make([]opts.BarData, len(rows))
	reviewed := make([]opts.BarData, len(rows))
	for i, r := range rows {
		labels[i] = r.Label
		answered[i] = opts.BarData{Name: r.Label, Value: percent(r.Answered, r.Total)}
		evidenced[i] = opts.BarData{Name: r.Label, Value: percent(r.Evidenced, r.Total)}
		reviewed[i] = opts.BarData{Name: r.Label, Value: percent(r.Reviewed, r.Total)}
	}
	bar := unitBars(title, labels, 100, opts.XAxis{AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}})
	bar.AddSeries("Dijawab", answered, ec.WithItemStyleOpts(opts.ItemStyle{Color: selfColor}))
	bar.AddSeries("Berbukti", evidenced, ec.WithItemStyleOpts(opts.ItemStyle{Color: GradeColors[2]}))
	bar.AddSeries("Direviu", reviewed, ec.WithItemStyleOpts(opts.ItemStyle{Color: GradeColors[0]}))
	return optionJSON(bar)
}

// percent is n of total in percent, rounded to one decimal half away from zero on the exact
// value (integer arithmetic, no float rounding); 0 when total is 0 or n is negative.
func percent(n, total int) float64 {
	if total <= 0 || n < 0 {
		return 0
	}
	tenths := (2000*int64(n) + int64(total)) / (2 * int64(total)) // n × 1000 / total, rounded
	return float64(tenths) / 10
}
