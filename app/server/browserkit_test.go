package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive pages through these steps rather than chromedp's actions directly:
// each step has its own deadline and, when it fails, says what it waited for (the selector,
// the text, the URL) and on which page, never a bare "context deadline exceeded".

// stepTimeout bounds one step; a page of this app answers in well under a second.
const stepTimeout = 45 * time.Second

// step runs a with its own deadline and names what when it fails.
func step(what string, a chromedp.Action) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		sctx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		err := a.Do(sctx)
		if err == nil {
			return nil
		}
		where := "unknown page"
		lctx, lcancel := context.WithTimeout(ctx, 5*time.Second)
		defer lcancel()
		var loc string
		if chromedp.Location(&loc).Do(lctx) == nil {
			where = loc
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s: not within %s (on %s)", what, stepTimeout, where)
		}
		return fmt.Errorf("%s: %w (on %s)", what, err, where)
	})
}

func waitVisible(sel string) chromedp.Action {
	return step(fmt.Sprintf("waiting for %s to be visible", sel), chromedp.WaitVisible(sel, chromedp.ByQuery))
}

func waitReady(sel string) chromedp.Action {
	return step(fmt.Sprintf("waiting for %s to exist", sel), chromedp.WaitReady(sel, chromedp.ByQuery))
}

func waitNotPresent(sel string) chromedp.Action {
	return step(fmt.Sprintf("waiting for %s to go away", sel), chromedp.WaitNotPresent(sel, chromedp.ByQuery))
}

func click(sel string) chromedp.Action {
	return step(fmt.Sprintf("clicking %s", sel), chromedp.Click(sel, chromedp.ByQuery))
}

func text(sel string, out *string) chromedp.Action {
	return step(fmt.Sprintf("reading the text of %s", sel), chromedp.Text(sel, out, chromedp.ByQuery))
}

func sendKeys(sel, keys string) chromedp.Action {
	return step(fmt.Sprintf("typing into %s", sel), chromedp.SendKeys(sel, keys, chromedp.ByQuery))
}

func setValue(sel, v string) chromedp.Action {
	return step(fmt.Sprintf("setting %s to %q", sel, v), chromedp.SetValue(sel, v, chromedp.ByQuery))
}

func submit(sel string) chromedp.Action {
	return step(fmt.Sprintf("submitting the form of %s", sel), chromedp.Submit(sel, chromedp.ByQuery))
}

func navigate(url string) chromedp.Action {
	return step("opening "+url, chromedp.Navigate(url))
}

func evaluate(js string, out any) chromedp.Action {
	short := strings.Join(strings.Fields(js), " ")
	if len(short) > 80 {
		short = short[:80] + "…"
	}
	return step("evaluating "+short, chromedp.Evaluate(js, out))
}

func attribute(sel, name string, out *string, ok *bool) chromedp.Action {
	return step(fmt.Sprintf("reading %s of %s", name, sel), chromedp.AttributeValue(sel, name, out, ok, chromedp.ByQuery))
}

func uploadFiles(sel string, files []string) chromedp.Action {
	return step(fmt.Sprintf("choosing files in %s", sel), chromedp.SetUploadFiles(sel, files, chromedp.ByQuery))
}

func scrollIntoView(sel string) chromedp.Action {
	return step(fmt.Sprintf("scrolling to %s", sel), chromedp.ScrollIntoView(sel, chromedp.ByQuery))
}

// waitText waits until the text of sel contains want.
func waitText(sel, want string) chromedp.Action {
	return step(fmt.Sprintf("waiting for %s to contain %q", sel, want), chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var got string
			err := chromedp.Run(ctx, chromedp.WaitReady(sel, chromedp.ByQuery), chromedp.Text(sel, &got, chromedp.ByQuery))
			if err == nil && strings.Contains(got, want) {
				return nil
			}
			select {
			case <-ctx.Done():
				if err == nil {
					err = fmt.Errorf("last text %q", clip(got, 200))
				}
				return fmt.Errorf("%w; %v", ctx.Err(), err)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}))
}

// waitURL waits until the page's URL contains want.
func waitURL(want string) chromedp.Action {
	return step(fmt.Sprintf("waiting for the URL to contain %q", want), chromedp.ActionFunc(func(ctx context.Context) error {
		var loc string
		for {
			if err := chromedp.Location(&loc).Do(ctx); err == nil && strings.Contains(loc, want) {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w; last URL %s", ctx.Err(), loc)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}))
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// drawCharts scrolls every chart of the page into view, one after the other, and waits until
// each is drawn on a canvas: charts.js draws a chart (fetching ECharts and the page's chart
// options) only when it comes near the viewport.
func drawCharts() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var ids []string
		if err := evaluate(`Array.from(document.querySelectorAll('[data-chart]')).map(el => el.dataset.chart)`, &ids).Do(ctx); err != nil {
			return err
		}
		if len(ids) == 0 {
			return errors.New("drawing charts: the page has none")
		}
		for _, id := range ids {
			sel := fmt.Sprintf(`[data-chart=%q]`, id)
			if err := chromedp.Run(ctx, scrollIntoView(sel), waitVisible(sel+" canvas")); err != nil {
				return err
			}
		}
		return nil
	})
}
