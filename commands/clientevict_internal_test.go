package commands

import (
	"testing"

	"github.com/cairn-db/cairn/config"
)

func TestClientEvictionLimit(t *testing.T) {
	for _, tc := range []struct {
		set  [][2]string
		want int64
	}{
		{nil, 0},
		{[][2]string{{"maxmemory-clients", "10mb"}}, 10 << 20},
		{[][2]string{{"maxmemory-clients", "1kb"}}, minClientEviction}, // at least 128 KiB
		{[][2]string{{"maxmemory-clients", "10%"}}, 0},                 // of no maxmemory
		{[][2]string{{"maxmemory-clients", "10%"}, {"maxmemory", "100mb"}}, 10 << 20},
		{[][2]string{{"maxmemory-clients", "1%"}, {"maxmemory", "1mb"}}, minClientEviction},
		{[][2]string{{"maxmemory-clients", "0%"}, {"maxmemory", "100mb"}}, 0},
		{[][2]string{{"maxmemory-clients", "100%"}, {"maxmemory", "1gb"}}, 1 << 30},
	} {
		st := config.NewStore(config.Defaults(), "")
		if err := st.Set(tc.set); err != nil {
			t.Fatal(err)
		}
		if got := clientEvictionLimit(st.Load()); got != tc.want {
			t.Errorf("%v: limit %d, want %d", tc.set, got, tc.want)
		}
	}
}
