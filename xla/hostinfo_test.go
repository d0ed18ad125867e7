package xla

import "testing"

func TestParseNvidiaSMI(t *testing.T) {
	out := []byte("0, NVIDIA H100 80GB HBM3, 81559, 4, 575.57.08\n1, NVIDIA H200, [N/A], [N/A], 575.57.08\n")
	gpus, err := parseNvidiaSMI(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []GPU{
		{Index: 0, Name: "NVIDIA H100 80GB HBM3", MemoryTotalMiB: 81559, MemoryUsedMiB: 4, Driver: "575.57.08"},
		{Index: 1, Name: "NVIDIA H200", MemoryTotalMiB: -1, MemoryUsedMiB: -1, Driver: "575.57.08"},
	}
	if len(gpus) != len(want) {
		t.Fatalf("got %+v, want %+v", gpus, want)
	}
	for i := range want {
		if gpus[i] != want[i] {
			t.Errorf("GPU %d: got %+v, want %+v", i, gpus[i], want[i])
		}
	}
	if _, err := parseNvidiaSMI([]byte("No devices were found\n")); err == nil {
		t.Error("want an error for an unexpected line")
	}
}

func TestParseMemTotal(t *testing.T) {
	got, err := parseMemTotal([]byte("MemFree:  100 kB\nMemTotal:       16367588 kB\n"))
	if err != nil || got != 16367588*1024 {
		t.Errorf("got %d, %v; want %d", got, err, 16367588*1024)
	}
	if _, err := parseMemTotal([]byte("MemFree: 1 kB\n")); err == nil {
		t.Error("want an error without MemTotal")
	}
}
