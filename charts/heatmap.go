package charts

import (
	"encoding/json"
	"fmt"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Heatmap colours units × areas by the percentage of the area's maximum each unit reached,
// red (0) to green (100), each cell labelled with its value as given (the caller rounds it,
// see app/num; the page prints it with a decimal comma). pct[i][j]
// is unit i's percentage on area j. Areas run along the x axis, units down the y axis with the
// first unit on top. Each cell is the data item [area index, y index, value], where y counts
// from the bottom (y = len(units)-1-i).
func Heatmap(title string, units []string, areas []string, pct [][]float64) (json.RawMessage, error) {
	if len(pct) != len(units) {
		return nil, fmt.Errorf("heatmap: %d rows of values for %d units", len(pct), len(units))
	}
	data := make([]opts.HeatMapData, 0, len(units)*len(areas))
	for i, u := range units {
		if len(pct[i]) != len(areas) {
			return nil, fmt.Errorf("heatmap: %s has %d values for %d areas", u, len(pct[i]), len(areas))
		}
		y := len(units) - 1 - i
		for j, a := range areas {
			data = append(data, opts.HeatMapData{Name: u + " – " + a, Value: []any{j, y, pct[i][j]}})
		}
	}
	hm := ec.NewHeatMap()
	hm.SetGlobalOptions(
		ec.WithTitleOpts(opts.Title{Title: title}),
		ec.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		ec.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		ec.WithGridOpts(opts.Grid{Left: "4", Right: "16", Top: "40", Bottom: "48", ContainLabel: opts.Bool(true)}),
		ec.WithXAxisOpts(opts.XAxis{Type: "category", Data: append([]string{}, areas...), SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		ec.WithYAxisOpts(opts.YAxis{Type: "category", Data: topFirst(units), SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		ec.WithVisualMapOpts(opts.VisualMap{
			Type: "continuous", Calculable: opts.Bool(false), Min: 0, Max: 100,
			Orient: "horizontal", Left: "center", Bottom: "0", Text: []string{"100%", "0%"},
			InRange: &opts.VisualMapInRange{Color: []string{GradeColors[7], GradeColors[4], GradeColors[1]}},
		}),
		ec.WithAnimation(false),
	)
	hm.Accept(everyLabel{})
	hm.AddSeries("% dari nilai maksimum", data, ec.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{@[2]}"}))
	return optionJSON(hm)
}

// everyLabel names every column of the x axis, turned 30° to fit: a heatmap column without its
// area name is unreadable. ECharts shows all labels only for axisLabel.interval = the number 0,
// which go-echarts cannot write (its Interval is a string), so this visitor writes the label.
type everyLabel struct{ ec.BaseConfigurationVisitor }

// VisitXAxis implements ec.ConfigurationVisitor.
func (everyLabel) VisitXAxis(axes []opts.XAxis) any {
	type label struct {
		Interval int     `json:"interval"`
		Rotate   float64 `json:"rotate"`
	}
	out := make([]any, len(axes))
	for i, a := range axes {
		out[i] = struct {
			opts.XAxis
			AxisLabel label `json:"axisLabel"`
		}{a, label{Interval: 0, Rotate: 30}}
	}
	return out
}
