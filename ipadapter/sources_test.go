package ipadapter

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// linkInto makes repo/name a symlink to target: a repository laid out as
// a test needs, from the fixtures' files.
func linkInto(t *testing.T, repo, target, name string) {
	t.Helper()
	p := filepath.Join(repo, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, p); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
}

// twoAdapterCall is a pipeline case loading two adapters.
func twoAdapterCall(t *testing.T) goldenCall {
	t.Helper()
	for _, c := range golden.Load(t).Group("pipeline") {
		if call := caseCall(t, c); len(call.adapterNames) == 2 && call.req.IPAdapterMasks == nil {
			return call
		}
	}
	t.Skip("no pipeline case with two adapters")
	return goldenCall{}
}

// TestIPAdapterSourcesLists: load_ip_adapter's lists, with a single
// repository and subfolder broadcast, and diffusers' length errors.
func TestIPAdapterSourcesLists(t *testing.T) {
	got, err := IPAdapterSources([]string{"h94/IP-Adapter"}, []string{"sdxl_models"}, []string{"a.safetensors", "b.bin"})
	if err != nil {
		t.Fatal(err)
	}
	want := []IPAdapterSource{
		{Repo: "h94/IP-Adapter", Subfolder: "sdxl_models", WeightNames: []string{"a.safetensors"}},
		{Repo: "h94/IP-Adapter", Subfolder: "sdxl_models", WeightNames: []string{"b.bin"}},
	}
	if len(got) != 2 || !sameSource(got[0], want[0]) || !sameSource(got[1], want[1]) {
		t.Errorf("broadcast sources %+v, want %+v", got, want)
	}
	got, err = IPAdapterSources([]string{"r1", "/models/file.safetensors"}, nil, []string{"a.bin", ""})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Repo != "r1" || got[0].Subfolder != "" || got[1].Repo != "/models/file.safetensors" || got[1].WeightNames != nil {
		t.Errorf("per-adapter sources %+v", got)
	}
	for _, bad := range []struct {
		repos, subs, names []string
		msg                string
	}{
		{[]string{"r1", "r2", "r3"}, nil, []string{"a", "b"}, "`weight_name` and `pretrained_model_name_or_path_or_dict` must have the same length."},
		{[]string{"r"}, []string{"s1", "s2", "s3"}, []string{"a", "b"}, "`weight_name` and `subfolder` must have the same length."},
		{[]string{"r"}, nil, nil, "no weight_name given"},
	} {
		if _, err := IPAdapterSources(bad.repos, bad.subs, bad.names); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("IPAdapterSources(%q, %q, %q): error %v, want %q", bad.repos, bad.subs, bad.names, err, bad.msg)
		}
	}

	sp := folderPipeline(t)
	before := sp.p.NumIPAdapters()
	if err := sp.p.LoadIPAdapters(t.Context()); err == nil || !strings.Contains(err.Error(), "no adapter source") {
		t.Errorf("no sources: error %v", err)
	}
	conflicting := []IPAdapterSource{{Repo: "a", WeightNames: []string{"x"}}, {Repo: "b", WeightNames: []string{"y"}, ImageEncoderFolder: "models/image_encoder"}}
	if err := sp.p.LoadIPAdapters(t.Context(), conflicting...); err == nil || !strings.Contains(err.Error(), "first source") {
		t.Errorf("encoder options on the second source: error %v", err)
	}
	if sp.p.NumIPAdapters() != before {
		t.Error("a refused load changed the adapters")
	}
}

func sameSource(a, b IPAdapterSource) bool {
	return a.Repo == b.Repo && a.Subfolder == b.Subfolder && slices.Equal(a.WeightNames, b.WeightNames) &&
		a.Revision == b.Revision && a.ImageEncoderFolder == b.ImageEncoderFolder && a.NoImageEncoder == b.NoImageEncoder
}

// TestAdaptersFromSeveralSources loads two adapters from two repositories
// (only the first has an image encoder, which is the one diffusers
// loads): the result is bitwise that of both loaded from one folder, and
// the metadata names each adapter's own repository.
func TestAdaptersFromSeveralSources(t *testing.T) {
	call := twoAdapterCall(t)
	first, second := t.TempDir(), t.TempDir()
	linkInto(t, first, filepath.Join(call.adapterDir, call.adapterNames[0]), "x/"+call.adapterNames[0])
	linkInto(t, first, filepath.Join(call.adapterDir, "image_encoder"), "x/image_encoder")
	linkInto(t, second, filepath.Join(call.adapterDir, call.adapterNames[1]), "y/"+call.adapterNames[1])
	sources, err := IPAdapterSources([]string{first, second}, []string{"x", "y"}, call.adapterNames)
	if err != nil {
		t.Fatal(err)
	}

	p := ownPipeline(t, testOptions(t))
	// Drop the model's own encoder, so the adapters' one is loaded.
	if err := p.LoadIPAdapter(t.Context(), call.adapterDir, "", call.adapterNames[0]); err != nil {
		t.Fatal(err)
	}
	if err := p.UnloadIPAdapter(); err != nil {
		t.Fatal(err)
	}
	if err := p.LoadIPAdapters(t.Context(), sources...); err != nil {
		t.Fatal(err)
	}
	if p.NumIPAdapters() != 2 {
		t.Fatalf("%d adapters loaded, want 2", p.NumIPAdapters())
	}
	if err := p.SetIPAdapterScale(call.scales...); err != nil {
		t.Fatal(err)
	}
	req := call.req
	req.OutputType = OutputNP
	got, err := p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.NP.Data, reference(t, call).res.NP.Data) {
		t.Error("adapters from two repositories give another result than from one folder")
	}
	sourceOf := map[string]string{}
	for _, m := range got.Metadata.Models {
		sourceOf[m.Component] = m.Source
	}
	for component, repo := range map[string]string{"ip_adapter.0": first, "ip_adapter.1": second, "image_encoder": first} {
		if !strings.HasPrefix(sourceOf[component], repo) {
			t.Errorf("metadata: %s from %q, want %s", component, sourceOf[component], repo)
		}
	}
}

// adapterOfKind is the name of a fixture adapter of kind k, from the
// pipeline cases' adapters.
func adapterOfKind(t *testing.T, k adapter.Kind) (dir, name string) {
	t.Helper()
	for _, c := range golden.Load(t).Group("pipeline") {
		call := caseCall(t, c)
		for _, n := range call.adapterNames {
			f, err := adapter.Open(filepath.Join(call.adapterDir, n))
			if err != nil {
				t.Fatal(err)
			}
			kind := f.Kind()
			f.Close()
			if kind == k {
				return call.adapterDir, n
			}
		}
	}
	t.Skipf("no %s adapter in the fixtures", k)
	return "", ""
}
