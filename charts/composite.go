package charts

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	ec "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// CompositePart is one instrument's weighted contribution to each unit's composite index:
// Values[i] belongs to units[i].
type CompositePart struct {
	Name   string
	Values []float64
}

// Composite is a stacked horizontal bar of the composite index (0–100): one series per
// instrument, stacked as "komposit", one bar per unit with the first unit on top. Each unit's
// contributions are rounded to two decimals so that they still add up to its composite index
// rounded to two decimals (largest remainder). It fails when a part's values do not match the
// units.
func Composite(title string, units []string, parts []CompositePart) (json.RawMessage, error) {
	for _, p := range parts {
		if len(p.Values) != len(units) {
			return nil, fmt.Errorf("composite: %s has %d values for %d units", p.Name, len(p.Values), len(units))
		}
	}
	// rounded[k][i]: part k of unit i, in the caller's unit order.
	rounded := make([][]float64, len(parts))
	for k := range parts {
		rounded[k] = make([]float64, len(units))
	}
	col := make([]float64, len(parts))
	for i := range units {
		for k, p := range parts {
			col[k] = p.Values[i]
		}
		for k, v := range roundToSum(col) {
			rounded[k][i] = v
		}
	}
	drawn := topFirst(units)
	bar := unitBars(title, drawn, 100, opts.XAxis{})
	for k, p := range parts {
		data := make([]opts.BarData, len(units))
		for i, v := range topFirst(rounded[k]) {
			data[i] = opts.BarData{Name: drawn[i], Value: v}
		}
		bar.AddSeries(p.Name, data, ec.WithBarChartOpts(opts.BarChart{Stack: "komposit"}))
	}
	return optionJSON(bar)
}

// roundToSum rounds each value to two decimals so that the results add up to the sum of the
// values rounded to two decimals: every value is rounded down to the cent, and the cents still
// missing go to the values that lost the most.
func roundToSum(values []float64) []float64 {
	const eps = 1e-9 // 0.29*100 is 28.999999999999996: not a lost cent
	cents := make([]float64, len(values))
	frac := make([]int, len(values)) // indexes, by fraction lost, largest first
	var sum, floors float64
	for i, v := range values {
		cents[i] = math.Floor(v*100 + eps)
		frac[i] = i
		sum += v
		floors += cents[i]
	}
	slices.SortStableFunc(frac, func(a, b int) int {
		return cmp.Compare(values[b]*100-cents[b], values[a]*100-cents[a])
	})
	short := int(math.Round(sum*100) - floors)
	for n := 0; n < short && n < len(frac); n++ {
		cents[frac[n]]++
	}
	out := make([]float64, len(values))
	for i, c := range cents {
		out[i] = c / 100
	}
	return out
}
