// GoBGP's own codec (pkg/packet/bgp of GoBGP 3, the package gobgpd parses and
// builds every message with) timed on the UPDATE files that codec_bench --write-updates writes,
// so bench/codec_compare.sh can print its rates beside Pinto's.
//
//	gobgp_codec FILE...   (each FILE holds one whole UPDATE message)
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/osrg/gobgp/pkg/packet/bgp" // Debian golang-github-osrg-gobgp-dev, GOPATH mode
)

const minDuration = time.Second

// rate runs op until minDuration has passed and returns how many times per second it ran.
func rate(op func() error) (float64, error) {
	iterations := 0
	start := time.Now()
	for time.Since(start) < minDuration {
		for i := 0; i < 1000; i++ {
			if err := op(); err != nil {
				return 0, err
			}
		}
		iterations += 1000
	}
	return float64(iterations) / time.Since(start).Seconds(), nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gobgp_codec FILE...")
		os.Exit(2)
	}
	for _, path := range os.Args[1:] {
		wire, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		msg, err := bgp.ParseBGPMessage(wire)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			os.Exit(1)
		}
		update, ok := msg.Body.(*bgp.BGPUpdate)
		if !ok {
			fmt.Fprintf(os.Stderr, "%s: not an UPDATE\n", path)
			os.Exit(1)
		}
		prefixes := float64(len(update.NLRI))
		decode, err := rate(func() error { _, err := bgp.ParseBGPMessage(wire); return err })
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		encode, err := rate(func() error { _, err := msg.Serialize(); return err })
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%d %.0f %.0f\n", len(update.NLRI), decode*prefixes, encode*prefixes)
	}
}
