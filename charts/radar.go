package charts

import (
	"encoding/json"
	"fmt"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// maxRadarSeries is the most units a radar stays readable with.
const maxRadarSeries = 5

// RadarAxis is one area of the instrument, with its maximum score.
type RadarAxis struct {
	Name string
	Max  float64
}

// RadarSeries is one unit's scores, one value per axis in the order of the axes.
type RadarSeries struct {
	Name   string
	Values []float64
}

// Radar compares the area scores of up to five units, one polygon and one legend entry each.
// It fails on more than five series or on a series whose values do not match the axes.
func Radar(title string, axes []RadarAxis, series []RadarSeries) (json.RawMessage, error) {
	if len(series) > maxRadarSeries {
		return nil, fmt.Errorf("radar: %d units, at most %d fit", len(series), maxRadarSeries)
	}
	indicators := make([]*opts.Indicator, len(axes))
	for i, a := range axes {
		indicators[i] = &opts.Indicator{Name: a.Name, Max: float32(a.Max)}
	}
	radar := ec.NewRadar()
	radar.SetGlobalOptions(
		ec.WithTitleOpts(opts.Title{Title: title}),
		ec.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		ec.WithLegendOpts(legendBottom),
		ec.WithRadarComponentOpts(opts.RadarComponent{Indicator: indicators, Center: []string{"50%", "52%"}}),
		ec.WithAnimation(false),
	)
	for _, s := range series {
		if len(s.Values) != len(axes) {
			return nil, fmt.Errorf("radar: %s has %d values for %d axes", s.Name, len(s.Values), len(axes))
		}
		values := append(make([]float64, 0, len(s.Values)), s.Values...)
		radar.AddSeries(s.Name, []opts.RadarData{{Name: s.Name, Value: values}},
			ec.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.1)}))
	}
	return optionJSON(radar)
}
