package charts

import (
	"encoding/json"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// ScoreBar is one question of a survey: its mean (nil when nobody answered it) and whether it
// is the weakest.
type ScoreBar struct {
	Label   string
	Value   *float64
	Weakest bool
}

// weakColor marks the weakest question; the others take the top grade's colour.
const weakColor = "#e53935"

// SurveyBars draws a survey's questions as horizontal bars of their mean on a value axis from
// min to max (IKM's NRR 1–4, F-03's 0–5), the first question on top, the weakest in red, a gap
// where a question has no answer. Values come rounded from the caller.
func SurveyBars(title string, bars []ScoreBar, min, max float64) (json.RawMessage, error) {
	bars = topFirst(bars)
	labels := make([]string, len(bars))
	data := make([]opts.BarData, len(bars))
	for i, b := range bars {
		labels[i] = b.Label
		data[i] = opts.BarData{Name: b.Label, Value: missing, ItemStyle: &opts.ItemStyle{Color: GradeColors[1]}}
		if b.Value != nil {
			data[i].Value = *b.Value
		}
		if b.Weakest {
			data[i].ItemStyle = &opts.ItemStyle{Color: weakColor}
		}
	}
	bar := unitBars(title, labels, max, opts.XAxis{})
	bar.SetGlobalOptions(ec.WithXAxisOpts(opts.XAxis{Type: "value", Min: min, Max: max}), ec.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
	bar.AddSeries("Nilai rata-rata", data, ec.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right"}))
	return optionJSON(bar)
}

// SampleGauge draws the respondents counted against the sample a survey needs: a gauge from
// 0 to max(required, n), its progress arc green once n reaches required. n and required are
// whole respondents.
func SampleGauge(title string, n, required int) (json.RawMessage, error) {
	top := max(required, n, 1)
	color := GradeColors[5]
	if n >= required && required > 0 {
		color = GradeColors[0]
	}
	g := ec.NewGauge()
	g.SetGlobalOptions(
		ec.WithTitleOpts(opts.Title{Title: title}),
		ec.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(false)}),
		ec.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		ec.WithAnimation(false),
	)
	g.AddSeries("Responden", []opts.GaugeData{{Value: n}}, func(s *ec.SingleSeries) {
		s.Min, s.Max = 0, top
		s.Progress = &opts.Progress{Show: opts.Bool(true), Width: 14, ItemStyle: &opts.ItemStyle{Color: color}}
		s.AxisLine = &opts.AxisLine{LineStyle: &opts.LineStyle{Width: 14}}
		s.Pointer = &opts.Pointer{Show: opts.Bool(false)}
		// No tick labels: ECharts would write fractions of a respondent with a decimal point;
		// the count is the detail, the target is in the page's text.
		s.AxisLabel = &opts.AxisLabel{Show: opts.Bool(false)}
		s.AxisTick = &opts.AxisTick{Show: opts.Bool(false)}
		s.SplitLine = &opts.SplitLine{Show: opts.Bool(false)}
		s.Detail = &opts.Detail{FontSize: 28, FontWeight: "bold"}
	})
	return optionJSON(g)
}
