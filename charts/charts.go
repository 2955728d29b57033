// Package charts builds the comparative charts of Rapor RB as ECharts options with go-echarts:
// plain data in, option JSON out. It imports nothing of app/, so a chart can be tested (golden
// files in testdata/) without a database or a server. Pages put the option in a
// <script type="application/json"> and public/js/charts.js hands it to echarts.
package charts

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// GradeColors colour grades by their place in the instrument's band list, best first, so
// the same colour means "top band" on every instrument.
var GradeColors = []string{"#1e7b34", "#43a047", "#7cb342", "#c0ca33", "#fdd835", "#ffb300", "#fb8c00", "#e53935", "#8e1b1b"}

// selfColor marks a score that is still the unit's own claim, not the evaluator's.
const selfColor = "#9aa5ab"

// RankedBar is one unit's bar.
type RankedBar struct {
	Label string
	Value float64
	// GradeRank is the index of the unit's grade in the band list (0 = best), or -1 for none.
	GradeRank int
	// Final is false while the value is the self-assessment.
	Final bool
}

// Threshold is a vertical line across the bars, e.g. WBK at 75.
type Threshold struct {
	Label string
	Value float64
}

// RankedBars is a horizontal bar chart of units, highest at the top, coloured by grade (grey
// while not final), with threshold lines. The caller passes bars already in rank order.
func RankedBars(title string, bars []RankedBar, max float64, thresholds []Threshold) (json.RawMessage, error) {
	bar := ec.NewBar()
	bar.SetGlobalOptions(
		ec.WithTitleOpts(opts.Title{Title: title}),
		ec.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		ec.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		ec.WithGridOpts(opts.Grid{Left: "4", Right: "48", Top: "40", Bottom: "24", ContainLabel: opts.Bool(true)}),
		ec.WithXAxisOpts(opts.XAxis{Type: "value", Min: 0, Max: max}),
		ec.WithYAxisOpts(opts.YAxis{Type: "category"}),
		ec.WithAnimation(false),
	)
	// ECharts draws the first category at the bottom; reverse so rank 1 is on top.
	labels := make([]string, len(bars))
	data := make([]opts.BarData, len(bars))
	for i, b := range bars {
		j := len(bars) - 1 - i
		color := selfColor
		if b.Final && b.GradeRank >= 0 {
			color = GradeColors[min(b.GradeRank, len(GradeColors)-1)]
		}
		labels[j] = b.Label
		data[j] = opts.BarData{Name: b.Label, Value: b.Value, ItemStyle: &opts.ItemStyle{Color: color}}
	}
	lines := make([]opts.MarkLineNameXAxisItem, len(thresholds))
	for i, t := range thresholds {
		lines[i] = opts.MarkLineNameXAxisItem{Name: t.Label + " " + idNum(t.Value), XAxis: t.Value}
	}
	bar.SetXAxis(labels).AddSeries("Nilai", data,
		ec.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right"}),
		ec.WithMarkLineNameXAxisItemOpts(lines...),
		ec.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"}, Label: &opts.Label{Show: opts.Bool(true), Formatter: "{b}"}}),
	).XYReversal()
	return optionJSON(bar)
}

// optionJSON validates a chart and returns its ECharts option. A chart without series gets
// "series": [] rather than null.
func optionJSON(c interface {
	Validate()
	JSON() map[string]any
}) (json.RawMessage, error) {
	c.Validate()
	o := c.JSON()
	if s, ok := o["series"].(ec.MultiSeries); ok && len(s) == 0 {
		o["series"] = []any{}
	}
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("chart option: %w", err)
	}
	return b, nil
}

// missing is ECharts' "no value": a bar or a line point holding it is left out, as a gap.
const missing = "-"

// Layout shared by the comparative charts: the title on top, the legend below the plot.
var (
	legendBottom = opts.Legend{Show: opts.Bool(true), Type: "scroll", Bottom: "0"}
	gridLegend   = opts.Grid{Left: "4", Right: "48", Top: "40", Bottom: "36", ContainLabel: opts.Bool(true)}
)

// unitBars starts a horizontal bar chart with one category per unit and a value axis from 0 to
// max (automatic when max ≤ 0). labels are in drawing order, bottom first: pass them through
// topFirst so the caller's first row is drawn on top.
func unitBars(title string, labels []string, max float64, value opts.XAxis) *ec.Bar {
	value.Type, value.Min = "value", 0
	if max > 0 {
		value.Max = max
	}
	bar := ec.NewBar()
	bar.SetGlobalOptions(
		ec.WithTitleOpts(opts.Title{Title: title}),
		ec.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		ec.WithLegendOpts(legendBottom),
		ec.WithGridOpts(gridLegend),
		ec.WithXAxisOpts(value),
		ec.WithYAxisOpts(opts.YAxis{Type: "category"}),
		ec.WithAnimation(false),
	)
	return bar.SetXAxis(labels).XYReversal()
}

// topFirst returns a reversed copy of s. ECharts draws the first category of a vertical
// category axis at the bottom, so rows given best first must be passed last first.
func topFirst[T any](s []T) []T {
	r := make([]T, len(s))
	for i, v := range s {
		r[len(s)-1-i] = v
	}
	return r
}

// idNum prints a value as given, with a decimal comma ("15,75"): threshold names are text the
// chart draws as it is. Numbers the chart draws itself (axes, labels, tooltips) get the same
// treatment in public/js/charts.js. Values come rounded from the caller (app/num); this package
// rounds nothing in floating point.
func idNum(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}
