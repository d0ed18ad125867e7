package loader

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
)

// TestResolveFromHub resolves the fixture pipeline from a fake Hub into an
// empty cache (token and revision passed through, a replaced VAE from
// another repository), then again offline from the cache alone.
func TestResolveFromHub(t *testing.T) {
	isolateHubEnv(t)
	ctx := context.Background()
	fh := newFakeHub(t, map[string]string{"org/tiny-sdxl": tinyDir(t), "org/vae-fix": filepath.Join(tinyDir(t), "vae")})
	cache := t.TempDir()
	replace := map[string]Location{"vae": {Repo: "org/vae-fix"}}
	online := Options{Hub: hub.Options{CacheDir: cache, Endpoint: fh.srv.URL, Token: "secret"}, Variant: "fp16", Replace: replace}
	p, err := Resolve(ctx, "org/tiny-sdxl", online)
	if err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(cache, "models--org--tiny-sdxl", "snapshots", hubCommit)
	if p.Dir != snap || p.Source != "org/tiny-sdxl" {
		t.Errorf("dir %s, source %s", p.Dir, p.Source)
	}
	checkTinyFromCache(t, p, snap, filepath.Join(cache, "models--org--vae-fix", "snapshots", hubCommit))
	requests := fh.seen()
	for _, r := range requests {
		if !strings.HasSuffix(r, " Bearer secret") {
			t.Errorf("request without the token: %s", r)
		}
	}
	if !slices.ContainsFunc(requests, func(r string) bool {
		return strings.HasPrefix(r, "HEAD /org/tiny-sdxl/resolve/main/unet/diffusion_pytorch_model.fp16.safetensors")
	}) {
		t.Errorf("the fp16 weights were not asked for: %v", requests)
	}

	// Offline, without an endpoint: the same files from the cache, the
	// absent fp16 files known from the 404s recorded in .no_exist.
	offline := Options{Hub: hub.Options{CacheDir: cache, Offline: true}, Variant: "fp16", Replace: replace}
	p2, err := Resolve(ctx, "org/tiny-sdxl", offline)
	if err != nil {
		t.Fatal(err)
	}
	checkTinyFromCache(t, p2, snap, filepath.Join(cache, "models--org--vae-fix", "snapshots", hubCommit))
	if n := len(fh.seen()); n != len(requests) {
		t.Errorf("offline resolution made %d requests", n-len(requests))
	}
	if !slices.Equal(p.Notes, p2.Notes) {
		t.Errorf("notes online %v, offline %v", p.Notes, p2.Notes)
	}

	// A commit revision is answered from the cache too.
	byCommit := offline
	byCommit.Hub.Revision = hubCommit
	if _, err := Resolve(ctx, "org/tiny-sdxl", byCommit); err != nil {
		t.Errorf("offline at the cached commit: %v", err)
	}
	// What the cache lacks is an error saying so, offline.
	missing := offline
	missing.Replace = map[string]Location{"image_encoder": {Repo: "org/elsewhere"}}
	if _, err := Resolve(ctx, "org/tiny-sdxl", missing); err == nil || !errors.Is(err, hub.ErrNotCached) || !strings.Contains(err.Error(), "org/elsewhere") {
		t.Errorf("replacement not cached, offline: %v", err)
	}
	// The revision reaches the Hub.
	badRev := online
	badRev.Hub.Revision = "v9"
	if _, err := Resolve(ctx, "org/tiny-sdxl", badRev); err == nil || !errors.Is(err, hub.ErrRepoNotFound) || !strings.Contains(err.Error(), `revision "v9"`) {
		t.Errorf("unknown revision: %v", err)
	}
}

// checkTinyFromCache checks a pipeline resolved from the fake Hub's copy of
// the fixture (with its VAE from another repository).
func checkTinyFromCache(t *testing.T, p *Pipeline, snap, vaeSnap string) {
	t.Helper()
	if len(p.Components) != 9 {
		t.Errorf("components %v", p.Names())
	}
	unet := p.Components["unet"]
	if !slices.Equal(unet.WeightFiles, []string{filepath.Join(snap, "unet", "diffusion_pytorch_model.safetensors")}) || unet.Dir != filepath.Join(snap, "unet") {
		t.Errorf("unet: %+v", unet)
	}
	if n := len(sourceNames(t, unet)); n != 428 {
		t.Errorf("unet has %d tensors", n)
	}
	if vae := p.Components["vae"]; vae.Dir != vaeSnap || len(vae.WeightFiles) != 1 || filepath.Dir(vae.WeightFiles[0]) != vaeSnap || vae.Variant != "" {
		t.Errorf("vae: %+v", vae)
	}
	tok := p.Components["tokenizer_2"]
	if tok.ConfigPath != filepath.Join(snap, "tokenizer_2", "tokenizer_config.json") || len(tok.Files) != 3 {
		t.Errorf("tokenizer_2: %+v", tok)
	}
	for _, name := range []string{"unet", "text_encoder", "text_encoder_2", "image_encoder"} {
		if !hasNote(p.Notes, name+`: no "fp16" weights in org/tiny-sdxl/`+name) {
			t.Errorf("no fallback note for %s: %v", name, p.Notes)
		}
	}
	if hasNote(p.Notes, `vae: no "fp16"`) || !hasNote(p.Notes, "vae: AutoencoderKL instead of the pipeline's from org/vae-fix") {
		t.Errorf("vae notes: %v", p.Notes)
	}
}

// TestResolveOfflineNotCached: a repo absent from the cache in offline mode
// is reported as such, not as "not a diffusers pipeline".
func TestResolveOfflineNotCached(t *testing.T) {
	isolateHubEnv(t)
	_, err := Resolve(context.Background(), "org/never-downloaded", Options{Hub: hub.Options{CacheDir: t.TempDir(), Offline: true}})
	if err == nil {
		t.Fatal("resolved a repo that is not cached, offline")
	}
	if !errors.Is(err, hub.ErrNotCached) || strings.Contains(err.Error(), "not a diffusers pipeline") {
		t.Errorf("error %q: want the offline/not-cached error only", err)
	}
}
