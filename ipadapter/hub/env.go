package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultCacheDir returns the hub cache folder huggingface_hub would use:
// HF_HUB_CACHE, else the legacy HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub,
// else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
// Empty variables count as unset, and a leading "~" is expanded as Python's
// expanduser does.
func DefaultCacheDir() (string, error) {
	for _, name := range []string{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"} {
		if v := os.Getenv(name); v != "" {
			return expandHome(v)
		}
	}
	home, err := hfHome()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "hub"), nil
}

// hfHome returns huggingface_hub's HF_HOME: the variable, else
// $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface.
func hfHome() (string, error) {
	if v := os.Getenv("HF_HOME"); v != "" {
		return expandHome(v)
	}
	if v := os.Getenv("XDG_CACHE_HOME"); v != "" {
		v, err := expandHome(v)
		return filepath.Join(v, "huggingface"), err
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("hub: cannot find the cache folder: set HF_HUB_CACHE or HF_HOME: %w", err)
	}
	return filepath.Join(home, ".cache", "huggingface"), nil
}

// expandHome replaces a leading "~" by the home folder.
func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("hub: expanding %q: %w", p, err)
	}
	return filepath.Join(home, p[1:]), nil
}

// envTrue reports whether the variable holds one of huggingface_hub's true
// values (1, ON, YES, TRUE, any case).
func envTrue(name string) bool {
	switch strings.ToUpper(strings.TrimSpace(os.Getenv(name))) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

// offlineFromEnv mirrors huggingface_hub's HF_HUB_OFFLINE, which also accepts
// transformers' TRANSFORMERS_OFFLINE.
func offlineFromEnv() bool {
	return envTrue("HF_HUB_OFFLINE") || envTrue("TRANSFORMERS_OFFLINE")
}

// envOr returns the variable, or def when it is empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// secondsFromEnv reads a whole number of seconds, falling back to def when
// the variable is unset, malformed or not positive (as huggingface_hub does).
func secondsFromEnv(name string, def int) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(os.Getenv(name)))
	if err != nil || n <= 0 {
		n = def
	}
	return time.Duration(n) * time.Second
}

// implicitToken returns the token huggingface_hub would send without being
// given one: HF_TOKEN (or HUGGING_FACE_HUB_TOKEN), else the token file
// ($HF_TOKEN_PATH, else $HF_HOME/token); nothing when
// HF_HUB_DISABLE_IMPLICIT_TOKEN is set.
func implicitToken() (string, error) {
	if envTrue("HF_HUB_DISABLE_IMPLICIT_TOKEN") {
		return "", nil
	}
	if t := cleanToken(envOr("HF_TOKEN", os.Getenv("HUGGING_FACE_HUB_TOKEN"))); t != "" {
		return t, nil
	}
	path := os.Getenv("HF_TOKEN_PATH")
	if path == "" {
		home, err := hfHome()
		if err != nil {
			return "", err
		}
		path = filepath.Join(home, "token")
	}
	path, err := expandHome(path)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("hub: reading token file: %w", err)
	}
	return cleanToken(string(data)), nil
}

// cleanToken drops line breaks and surrounding blanks, as huggingface_hub
// does, so a token file saved by an editor still works.
func cleanToken(t string) string {
	return strings.TrimSpace(strings.NewReplacer("\r", "", "\n", "").Replace(t))
}
