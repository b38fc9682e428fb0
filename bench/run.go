// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Side indexes the two daemons in results: the reference first.
type Side int

const (
	Ref Side = iota
	Ours
)

// Point is everything measured for one daemon at one tree size.
type Point struct {
	FirstCall time.Duration // activation + tree open, in the main world
	Ping      Burst         // Peer.Ping, 1 client
	Set1      Burst         // Set to new paths, 1 client
	// MoreRatios are Set/s ÷ Ping/s of further fresh worlds (ours only;
	// see Config.RatioWorlds).
	MoreRatios      []float64 `json:",omitempty"`
	SetN            Burst     // Set to new paths, Config.Clients clients
	RSSStart        int       // KiB; VmRSS after the first Set, settled
	RSSAfterSet1    int
	RSSAfterReaders int
	RSSAfterSetN    int
	PeakSet1        int // KiB; VmHWM right after the 1-client burst
	PeakSetN        int
	Flush           Flush // isolated flush at name loss
	FlushRSSBefore  int
	Cold            time.Duration // median first Set of a fresh world
	ColdAll         []time.Duration
	ReadAfterSet1   time.Duration // gio list medians
	ReadDuring      time.Duration
	DuringSets      int
	ReadAfterSetN   time.Duration
	ReadIdle        time.Duration
	IdleFlush       Flush // the flush that made the main world idle
}

// Ratio is Set/s ÷ Ping/s: the median over the main world and the
// further ones.
func (p *Point) Ratio() float64 { return median(ratios(p.Set1, p.Ping, p.MoreRatios)) }

// ratios are the Set/s ÷ Ping/s of a daemon's worlds: the one whose
// bursts were kept, then the others.
func ratios(set, ping Burst, more []float64) []float64 {
	return append([]float64{setPerPing(set, ping)}, more...)
}

// SizePoint is one tree size with both daemons' measurements.
type SizePoint struct {
	Size int
	P    [2]Point
}

// Results is one whole run.
type Results struct {
	Cfg      Config
	Daemons  [2]Daemon
	Sizes    []SizePoint
	ColdPing [2]time.Duration // median first Ping of a fresh world
	// Floor is the floor daemon's 1-client bursts, in a world of the
	// first tree size; nil when it was not measured.
	Floor *FloorPoint `json:",omitempty"`
	Start time.Time
	Took  time.Duration
	Host  []string // lines describing the machine and the builds
	// LoadStart is /proc/loadavg when the run started: on a shared
	// machine, what else ran decides how far to trust the numbers.
	LoadStart string
}

// Run runs every workload at every size against both daemons. Each
// workload at each size gets a fresh world per daemon, the reference's
// first, then ours, so noise from the machine spreads over both.
func Run(cfg Config) (*Results, error) {
	res := &Results{
		Cfg:       cfg,
		Daemons:   [2]Daemon{{"reference", cfg.Reference}, {"ours", cfg.Ours}},
		Start:     time.Now(),
		Host:      hostInfo(cfg),
		LoadStart: loadAverage(),
	}
	for _, size := range cfg.Sizes {
		t0 := time.Now()
		tmpl, err := NewTemplate(cfg.WorkDir, size, cfg.Files)
		if err != nil {
			return nil, err
		}
		cfg.logf("tree of %d entries (+%d readers' files) generated in %v; load average %s", size, cfg.Files, Elapsed(t0), loadAverage())
		sp := SizePoint{Size: size}
		if err := mainWorlds(cfg, res.Daemons, tmpl, &sp); err != nil {
			return nil, fmt.Errorf("size %d, 1 client: %w", size, err)
		}
		if sp.P[Ours].MoreRatios, err = moreRatios(cfg, res.Daemons[Ours], tmpl); err != nil {
			return nil, fmt.Errorf("size %d, Set/Ping: %w", size, err)
		}
		if len(res.Sizes) == 0 && cfg.Floor != "" {
			if res.Floor, err = floorWorlds(cfg, tmpl); err != nil {
				return nil, fmt.Errorf("floor: %w", err)
			}
		}
		steps := []struct {
			name string
			run  func(Config, Daemon, *Template, *Point) error
		}{
			{fmt.Sprintf("%d clients", cfg.Clients), concurrentWorld},
			{"flush", flushWorld},
		}
		for _, step := range steps {
			for side, d := range res.Daemons {
				t0 := time.Now()
				if err := step.run(cfg, d, tmpl, &sp.P[side]); err != nil {
					return nil, fmt.Errorf("size %d, %s: %w", size, step.name, err)
				}
				cfg.logf("size %d, %s, %s: done in %v", size, step.name, d.Name, Elapsed(t0))
			}
		}
		for range cfg.ColdReps {
			for side, d := range res.Daemons {
				took, err := ColdStart(d, tmpl, false)
				if err != nil {
					return nil, fmt.Errorf("size %d, cold start: %w", size, err)
				}
				sp.P[side].ColdAll = append(sp.P[side].ColdAll, took)
			}
		}
		for side := range sp.P {
			sp.P[side].Cold = median(sp.P[side].ColdAll)
		}
		cfg.logf("size %d, cold start: reference %v, ours %v", size, sp.P[Ref].Cold, sp.P[Ours].Cold)
		res.Sizes = append(res.Sizes, sp)
		if len(res.Sizes) == 1 {
			var all [2][]time.Duration
			for range cfg.ColdReps {
				for side, d := range res.Daemons {
					took, err := ColdStart(d, tmpl, true)
					if err != nil {
						return nil, fmt.Errorf("cold start (Ping): %w", err)
					}
					all[side] = append(all[side], took)
				}
			}
			res.ColdPing = [2]time.Duration{median(all[Ref]), median(all[Ours])}
		}
	}
	res.Took = time.Since(res.Start)
	res.Host = append(res.Host, "Load average (1, 5, 15 min) at the start: "+res.LoadStart+"; at the end: "+loadAverage())
	return res, nil
}

// mainWorlds runs mainWorld for each daemon, then times the readers of
// both idle worlds in alternation, so that a change in the machine's load
// falls on both alike: the idle target is a tight ratio.
func mainWorlds(cfg Config, daemons [2]Daemon, t *Template, sp *SizePoint) error {
	var worlds [2]*World
	defer func() {
		for _, w := range worlds {
			if w != nil {
				w.Close()
			}
		}
	}()
	for side, d := range daemons {
		t0 := time.Now()
		w, err := mainWorld(cfg, d, t, &sp.P[side])
		worlds[side] = w
		if err != nil {
			return err
		}
		cfg.logf("size %d, 1 client, %s: done in %v", sp.Size, d.Name, Elapsed(t0))
	}
	var times [2][]time.Duration
	for range cfg.IdleReads() {
		for side, w := range worlds {
			d, err := w.gioList()
			if err != nil {
				return err
			}
			times[side] = append(times[side], d)
		}
	}
	for side := range worlds {
		sp.P[side].ReadIdle = median(times[side])
	}
	cfg.logf("size %d, gio list once idle: reference %v, ours %v", sp.Size, ms(sp.P[Ref].ReadIdle), ms(sp.P[Ours].ReadIdle))
	return nil
}

// mainWorld: activation, idle RSS, Ping burst, 1-client Set burst, readers
// right after it, readers during a burst, then the flush to idle. It
// returns the world, idle, for the readers' last measurement.
func mainWorld(cfg Config, d Daemon, t *Template, p *Point) (*World, error) {
	var env []string
	if cfg.CPUProfile != "" && d.Path == cfg.Ours {
		env = append(env, "GVFSD_METADATA_CPUPROFILE="+filepath.Join(cfg.CPUProfile, fmt.Sprintf("ours-%d.pprof", t.Size)))
	}
	w, err := NewWorld(d, t, true, env...)
	if err != nil {
		return nil, err
	}
	return w, w.mainWorkloads(cfg, p)
}

func (w *World) mainWorkloads(cfg Config, p *Point) error {
	var err error
	d := w.D
	if p.FirstCall, err = w.Activate(); err != nil {
		return err
	}
	// The first gio run starts gvfsd on this bus; keep that out of the timings.
	if _, err := w.gioList(); err != nil {
		return err
	}
	if p.RSSStart, err = w.IdleRSS(cfg.Settle); err != nil {
		return err
	}
	p.Ping, err = w.pingAround(cfg, func() error {
		var err error
		if p.Set1, err = SetBurst(w, 1, cfg.Sets, cfg.Budget); err != nil {
			return err
		}
		cfg.logf("  %s Set, 1 client: %s", d.Name, p.Set1)
		if p.PeakSet1, err = w.PeakRSS(); err != nil {
			return err
		}
		if p.ReadAfterSet1, err = w.Readers(cfg.Reads); err != nil {
			return err
		}
		p.RSSAfterSet1, err = w.IdleRSS(cfg.Settle)
		return err
	})
	if err != nil {
		return err
	}
	if p.ReadDuring, p.DuringSets, err = w.ReadersDuringBurst(cfg.Reads); err != nil {
		return err
	}
	if p.RSSAfterReaders, err = w.IdleRSS(cfg.Settle); err != nil {
		return err
	}
	// A write just before, so that both daemons have a journal to write out.
	if err := w.Set(w.conn, w.NewPath("last")); err != nil {
		return err
	}
	if p.IdleFlush, err = w.FlushByNameLoss(); err != nil {
		return err
	}
	cfg.logf("  %s gio list: after burst %v, during burst %v (%d Sets meanwhile)",
		d.Name, ms(p.ReadAfterSet1), ms(p.ReadDuring), p.DuringSets)
	return nil
}

// pingAround runs half of a world's Pings, then middle (the 1-client Set
// burst and what follows it), then the other half once the daemon is
// quiet again, so that a change in the machine's load during the world
// weighs on the Ping rate as on the Sets. It returns all the Pings.
//
// Each half follows a quiet second, and this machine runs faster for a
// moment after being idle: 12 bursts of 2,000 Pings after a second of
// quiet, six times, measured 8,663-12,546/s for the first burst and
// 7,497-11,206/s for the others (mostly 9,300-9,700). The Set burst,
// which follows the first half, never got that start, so the floor daemon
// measured Set/Ping 0.87-0.90 in this order against 0.97 with Ping and
// Set bursts alternating. Each half is therefore preceded by warmUp of
// Pings that are not counted.
func (w *World) pingAround(cfg Config, middle func() error) (Burst, error) {
	if err := w.warmUp(); err != nil {
		return Burst{}, err
	}
	before, err := PingBurst(w, cfg.Sets/2, cfg.Budget/2)
	if err != nil {
		return Burst{}, err
	}
	if err := middle(); err != nil {
		return Burst{}, err
	}
	if err := w.warmUp(); err != nil {
		return Burst{}, err
	}
	after, err := PingBurst(w, cfg.Sets-cfg.Sets/2, cfg.Budget/2)
	if err != nil {
		return Burst{}, err
	}
	cfg.logf("  %s Ping: %.0f/s before the Sets, %.0f/s after", w.D.Name, before.Rate(), after.Rate())
	return before.Merge(after), nil
}

// warmUpFor is how long Pings run, uncounted, before a measured Ping half.
const warmUpFor = 500 * time.Millisecond

// warmUp sends Pings for warmUpFor, so that the machine is past its start
// after idling (see pingAround).
func (w *World) warmUp() error {
	for end := time.Now().Add(warmUpFor); time.Now().Before(end); {
		if _, err := PingBurst(w, 200, warmUpFor); err != nil {
			return err
		}
	}
	return nil
}

// FloorPoint is what the floor daemon measured.
type FloorPoint struct {
	Ping Burst // of its first world
	Set1 Burst
	// MoreRatios are Set/s ÷ Ping/s of its further worlds.
	MoreRatios []float64 `json:",omitempty"`
}

// Ratio is its Set/s ÷ Ping/s, the median over all its worlds.
func (f *FloorPoint) Ratio() float64 { return median(ratios(f.Set1, f.Ping, f.MoreRatios)) }

// floorWorlds measures the floor daemon's Set/s ÷ Ping/s in
// Config.RatioWorlds fresh worlds, keeping the first one's bursts.
func floorWorlds(cfg Config, t *Template) (*FloorPoint, error) {
	floor := Daemon{"floor", cfg.Floor}
	set, ping, err := ratioWorld(cfg, floor, t)
	if err != nil {
		return nil, err
	}
	more, err := moreRatios(cfg, floor, t)
	if err != nil {
		return nil, err
	}
	f := &FloorPoint{Set1: set, Ping: ping, MoreRatios: more}
	cfg.logf("  floor: Set/Ping %.2f (median of %d worlds)", f.Ratio(), 1+len(more))
	return f, nil
}

// moreRatios measures d's Set/s ÷ Ping/s in Config.RatioWorlds-1 fresh
// worlds besides the one whose bursts are kept.
func moreRatios(cfg Config, d Daemon, t *Template) ([]float64, error) {
	var ratios []float64
	for range cfg.RatioWorlds - 1 {
		set, ping, err := ratioWorld(cfg, d, t)
		if err != nil {
			return nil, err
		}
		ratios = append(ratios, setPerPing(set, ping))
	}
	return ratios, nil
}

// ratioWorld runs the Ping and 1-client Set bursts of mainWorkloads, in
// the same order (pingAround), in a fresh world of d.
func ratioWorld(cfg Config, d Daemon, t *Template) (set, ping Burst, err error) {
	w, err := NewWorld(d, t, false)
	if err != nil {
		return set, ping, err
	}
	defer w.Close()
	if _, err := w.Activate(); err != nil {
		return set, ping, err
	}
	time.Sleep(cfg.Settle)
	var use cpuUse
	ping, err = w.pingAround(cfg, func() error {
		var err error
		use, err = w.measureCPU(func() (err error) {
			set, err = SetBurst(w, 1, cfg.Sets, cfg.Budget)
			return err
		})
		time.Sleep(cfg.Settle)
		return err
	})
	if err != nil {
		return set, ping, err
	}
	cfg.logf("  %s Set, 1 client: %s; CPU per Set %s; Ping: %s; Set/Ping %.2f", d.Name, set, use.perCall(set.Calls), ping, setPerPing(set, ping))
	return set, ping, nil
}

// concurrentWorld: Config.Clients clients writing at once, then the
// readers right after and the idle RSS.
func concurrentWorld(cfg Config, d Daemon, t *Template, p *Point) error {
	w, err := NewWorld(d, t, true)
	if err != nil {
		return err
	}
	defer w.Close()
	if _, err = w.Activate(); err != nil {
		return err
	}
	if _, err := w.gioList(); err != nil {
		return err
	}
	time.Sleep(cfg.Settle)
	if p.SetN, err = SetBurst(w, cfg.Clients, cfg.Sets, cfg.Budget); err != nil {
		return err
	}
	cfg.logf("  %s Set, %d clients: %s", d.Name, cfg.Clients, p.SetN)
	if p.PeakSetN, err = w.PeakRSS(); err != nil {
		return err
	}
	if p.ReadAfterSetN, err = w.Readers(cfg.Reads); err != nil {
		return err
	}
	p.RSSAfterSetN, err = w.IdleRSS(cfg.Settle)
	return err
}

// flushWorld: a small journal (Config.Flushed Sets, under half a journal,
// so that neither daemon rotates on its own) written out by a flush at
// name loss, timed and with its peak RSS sampled.
func flushWorld(cfg Config, d Daemon, t *Template, p *Point) error {
	w, err := NewWorld(d, t, false)
	if err != nil {
		return err
	}
	defer w.Close()
	if _, err = w.Activate(); err != nil {
		return err
	}
	for range cfg.Flushed - 1 {
		if err := w.Set(w.conn, w.NewPath("f")); err != nil {
			return err
		}
	}
	if p.FlushRSSBefore, err = w.IdleRSS(cfg.Settle); err != nil {
		return err
	}
	if p.Flush, err = w.FlushByNameLoss(); err != nil {
		return err
	}
	if !p.Flush.Rotated {
		return fmt.Errorf("%s: exited at name loss without rewriting the tree", d.Name)
	}
	cfg.logf("  %s flush: tree replaced after %v, exit after %v, peak RSS %d KiB, %d entries left in the new journal",
		d.Name, ms(p.Flush.Replaced), ms(p.Flush.Exit), p.Flush.Peak, p.Flush.Left)
	return nil
}

func (b Burst) String() string {
	s := fmt.Sprintf("%d/%d calls in %v, %.0f/s, p50 %s p99 %s max %s, %d rotations",
		b.Calls, b.Want, b.Elapsed.Round(time.Millisecond), b.Rate(), ms(b.Lat.P50), ms(b.Lat.P99), ms(b.Lat.Max), b.Rotations)
	if b.Limited {
		s += " (time budget)"
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/1e6) }

// hostInfo describes where and what ran, for the report.
func hostInfo(cfg Config) []string {
	var lines []string
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				lines = append(lines, fmt.Sprintf("CPU: %d × %s", runtime.NumCPU(), strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))))
				break
			}
		}
	}
	if out, err := exec.Command("uname", "-sr").Output(); err == nil {
		lines = append(lines, "Kernel: "+strings.TrimSpace(string(out)))
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", "gvfs-daemons").Output(); err == nil {
		lines = append(lines, fmt.Sprintf("Reference: %s (gvfs-daemons %s)", cfg.Reference, out))
	}
	ours := "Ours: " + cfg.Ours + " (" + runtime.Version()
	if out, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		ours += "; work tree at " + strings.TrimSpace(string(out))
	}
	lines = append(lines, ours+")")
	return lines
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
