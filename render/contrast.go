package render

import (
	"math"

	"github.com/alecthomas/chroma/v2"
)

// minContrast is WCAG 2's contrast ratio for normal text (level AA,
// success criterion 1.4.3); code is normal text.
const minContrast = 4.5

// luminance is a colour's relative luminance as WCAG 2 defines it.
func luminance(c chroma.Colour) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.Red()) + 0.7152*lin(c.Green()) + 0.0722*lin(c.Blue())
}

// contrast is the WCAG 2 contrast ratio of two colours, 1 to 21.
func contrast(a, b chroma.Colour) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// readable returns fg, or the nearest colour of its hue towards black (on
// a light background) or white (on a dark one) that reaches minContrast
// on bg: a few of chroma's style colours fall just short (github's
// Python builtins, #6a737d on #f7f7f7, are 4.49:1).
func readable(fg, bg chroma.Colour) chroma.Colour {
	if !fg.IsSet() || !bg.IsSet() || contrast(fg, bg) >= minContrast {
		return fg
	}
	towards := 0.0 // black
	if luminance(bg) < 0.18 {
		towards = 255 // white
	}
	mix := func(v uint8, t float64) uint8 { return uint8(math.Round(float64(v) + (towards-float64(v))*t)) }
	for step := 1; step <= 100; step++ {
		t := float64(step) / 100
		c := chroma.NewColour(mix(fg.Red(), t), mix(fg.Green(), t), mix(fg.Blue(), t))
		if contrast(c, bg) >= minContrast {
			return c
		}
	}
	return fg // not reached: black or white has contrast enough on any background
}
