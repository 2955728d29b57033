package charts

import (
	"encoding/json"
	"fmt"
	"strconv"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// TrendLine is one unit's score per year, in the order of the years; nil where the unit was
// not assessed that year.
type TrendLine struct {
	Name   string
	Values []*float64
}

// Trend draws one line per unit over the years, with a gap where a year has no score, on a
// value axis from 0 to max (automatic when max ≤ 0) with horizontal threshold lines (WBK 75…).
func Trend(title string, years []int, lines []TrendLine, max float64, thresholds []Threshold) (json.RawMessage, error) {
	labels := make([]string, len(years))
	for i, y := range years {
		labels[i] = strconv.Itoa(y)
	}
	value := opts.YAxis{Type: "value", Min: 0}
	if max > 0 {
		value.Max = max
	}
	line := ec.NewLine()
	line.SetGlobalOptions(
		ec.WithTitleOpts(opts.Title{Title: title}),
		ec.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		ec.WithLegendOpts(legendBottom),
		ec.WithGridOpts(gridLegend),
		ec.WithXAxisOpts(opts.XAxis{Type: "category"}),
		ec.WithYAxisOpts(value),
		ec.WithAnimation(false),
	)
	line.SetXAxis(labels)
	marks := make([]opts.MarkLineNameYAxisItem, len(thresholds))
	for i, t := range thresholds {
		marks[i] = opts.MarkLineNameYAxisItem{Name: t.Label + " " + idNum(t.Value), YAxis: t.Value}
	}
	for k, l := range lines {
		if len(l.Values) != len(years) {
			return nil, fmt.Errorf("trend: %s has %d values for %d years", l.Name, len(l.Values), len(years))
		}
		data := make([]opts.LineData, len(l.Values))
		for i, v := range l.Values {
			data[i] = opts.LineData{Value: missing}
			if v != nil {
				data[i].Value = *v
			}
		}
		so := []ec.SeriesOpts{ec.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), ConnectNulls: opts.Bool(false)})}
		if k == 0 && len(marks) > 0 { // the thresholds belong to the axis: drawn once
			so = append(so,
				ec.WithMarkLineNameYAxisItemOpts(marks...),
				ec.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"}, Label: &opts.Label{Show: opts.Bool(true), Position: "insideEndTop", Formatter: "{b}"}}))
		}
		line.AddSeries(l.Name, data, so...)
	}
	return optionJSON(line)
}
