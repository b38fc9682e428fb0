// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"math"
	"strings"
)

// Chart draws Set throughput against tree size for both daemons as an SVG
// line chart, both axes on a log scale: solid lines for one client, dotted
// for the concurrent clients, dashed for each daemon's Ping rate (the
// floor). A hollow marker is a point cut short by the time budget.
func Chart(res *Results) string {
	const (
		width, height          = 840, 450
		left, right, top, base = 80, 560, 50, 370 // plot area
	)
	type series struct {
		label string
		color string
		dash  string
		width float64
		get   func(p *Point) Burst
		side  Side
	}
	n := fmt.Sprintf("%d clients", res.Cfg.Clients)
	all := []series{
		{"reference, Set, 1 client", refColor, "", 2.5, func(p *Point) Burst { return p.Set1 }, Ref},
		{"ours, Set, 1 client", oursColor, "", 2.5, func(p *Point) Burst { return p.Set1 }, Ours},
		{"reference, Set, " + n, refColor, "2,4", 1.5, func(p *Point) Burst { return p.SetN }, Ref},
		{"ours, Set, " + n, oursColor, "2,4", 1.5, func(p *Point) Burst { return p.SetN }, Ours},
		{"reference, Ping (floor)", refColor, "8,5", 1.2, func(p *Point) Burst { return p.Ping }, Ref},
		{"ours, Ping (floor)", oursColor, "8,5", 1.2, func(p *Point) Burst { return p.Ping }, Ours},
	}

	// x: log10 of the size, 0 one decade left of the smallest other size.
	smallest := math.Inf(1)
	for _, sp := range res.Sizes {
		if sp.Size > 0 {
			smallest = math.Min(smallest, float64(sp.Size))
		}
	}
	if math.IsInf(smallest, 1) {
		smallest = 10_000
	}
	xval := func(size int) float64 {
		if size == 0 {
			return math.Log10(smallest) - 1
		}
		return math.Log10(float64(size))
	}
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, sp := range res.Sizes {
		xmin, xmax = math.Min(xmin, xval(sp.Size)), math.Max(xmax, xval(sp.Size))
		for _, s := range all {
			if v := s.get(&sp.P[s.side]).Rate(); v > 0 {
				ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
			}
		}
	}
	if xmax == xmin {
		xmin, xmax = xmin-1, xmax+1
	}
	pad := (xmax - xmin) * 0.08
	xmin, xmax = xmin-pad, xmax+pad
	if math.IsInf(ymin, 1) {
		ymin, ymax = 1, 10
	}
	ylo, yhi := math.Floor(math.Log10(ymin)), math.Ceil(math.Log10(ymax))
	if yhi == ylo {
		yhi++
	}
	px := func(x float64) float64 { return left + (x-xmin)/(xmax-xmin)*(right-left) }
	py := func(v float64) float64 { return base - (math.Log10(v)-ylo)/(yhi-ylo)*(base-top) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="26" font-size="15" font-weight="bold">Set throughput against tree size: ours and the reference gvfsd-metadata</text>`+"\n", left)

	// Grid and y labels: every decade, and 2 and 5 times it when the
	// chart spans few decades.
	for e := ylo; e <= yhi; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if m != 1 && (yhi-ylo > 2 || e == yhi) {
				continue
			}
			y := py(v)
			stroke := "#ddd"
			if m != 1 {
				stroke = "#f0f0f0"
			}
			fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>`+"\n", left, y, right, y, stroke)
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", left-8, y, perSecond(v))
		}
	}
	for _, sp := range res.Sizes {
		x := px(xval(sp.Size))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>`+"\n", x, top, x, base)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, base+18, sizeLabel(sp.Size))
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", left, top, right-left, base-top)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">tree size, entries (log scale)</text>`+"\n", (left+right)/2, base+42)
	fmt.Fprintf(&b, `<text transform="translate(22 %d) rotate(-90)" text-anchor="middle">calls per second (log scale)</text>`+"\n", (top+base)/2)

	for _, s := range all {
		var pts []string
		for _, sp := range res.Sizes {
			if v := s.get(&sp.P[s.side]).Rate(); v > 0 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(xval(sp.Size)), py(v)))
			}
		}
		dash := ""
		if s.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="%g"%s/>`+"\n", strings.Join(pts, " "), s.color, s.width, dash)
		if s.dash == "8,5" {
			continue // the Ping floor is a level, not a series of points
		}
		for _, sp := range res.Sizes {
			bu := s.get(&sp.P[s.side])
			if bu.Rate() <= 0 {
				continue
			}
			fill := s.color
			if bu.Limited {
				fill = "white"
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%g" fill="%s" stroke="%s" stroke-width="1.5"><title>%s at %s: %.0f/s</title></circle>`+"\n",
				px(xval(sp.Size)), py(bu.Rate()), s.width+1.5, fill, s.color, s.label, sizeLabel(sp.Size), bu.Rate())
		}
	}

	// Legend.
	lx, ly := right+20, top+10
	for i, s := range all {
		y := ly + i*22
		dash := ""
		if s.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="%g"%s/>`+"\n", lx, y, lx+30, y, s.color, s.width, dash)
		fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", lx+38, y, s.label)
	}
	y := ly + len(all)*22 + 6
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="4" fill="white" stroke="#555" stroke-width="1.5"/>`+"\n", lx+15, y)
	fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle">stopped by the time budget</text>`+"\n", lx+38, y)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#555">%s</text>`+"\n", left, height-14, chartCaption(res))
	b.WriteString("</svg>\n")
	return b.String()
}

const (
	refColor  = "#d95f02"
	oursColor = "#1b6fb3"
)

func perSecond(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}

func chartCaption(res *Results) string {
	mode := "full run"
	if res.Cfg.QuickMode {
		mode = "quick run"
	}
	return fmt.Sprintf("%s of %s: %d Sets per point to new paths, one call at a time per client, each point in a fresh private bus and data dir",
		mode, res.Start.Format("2006-01-02"), res.Cfg.Sets)
}
