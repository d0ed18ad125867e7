package hub

import (
	"net/http"
	"strings"
	"time"
)

// Options tunes where files are looked up and how they are fetched. The zero
// value behaves like huggingface_hub with its environment variables: every
// empty field falls back to the variable huggingface_hub reads, read anew on
// each call so a notebook can change them between cells.
type Options struct {
	// CacheDir is the hub cache folder (the one holding models--org--name).
	CacheDir string
	// Revision is a branch, tag or 40-hex commit hash; "" means "main".
	Revision string
	// Token authenticates to the Hub (gated and private repositories).
	Token string
	// Offline resolves from the cache alone, like HF_HUB_OFFLINE=1.
	Offline bool
	// Endpoint is the Hub's base URL, like HF_ENDPOINT.
	Endpoint string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Progress, if set, is called from the downloading goroutine when a
	// download starts and after each chunk, with the bytes on disk so far
	// (resumed bytes included) and the file's size. It is not called for
	// files already in the cache.
	Progress func(done, total int64)
	// ProgressFile, if set, is called as Progress is (both are called
	// when both are set), with the path of the file inside its repository
	// ("unet/diffusion_pytorch_model.fp16.safetensors"), for displays that
	// name what is downloading.
	ProgressFile func(file string, done, total int64)
}

// defaultEndpoint is the public Hub, used when neither Options.Endpoint nor
// HF_ENDPOINT is set.
const defaultEndpoint = "https://huggingface.co"

// defaultRevision is the branch huggingface_hub uses when none is given.
const defaultRevision = "main"

// config is Options with every default and environment variable applied.
type config struct {
	cacheDir         string
	cacheDirExplicit bool // from Options.CacheDir: error hints then name it
	revision         string
	offline          bool
	endpoint         string
	token            string
	client           *http.Client
	etagTimeout      time.Duration // HEAD requests
	readTimeout      time.Duration // longest pause while streaming a body
}

// resolve applies defaults and environment variables to o.
func (o Options) resolve() (config, error) {
	c := config{
		cacheDir:         o.CacheDir,
		cacheDirExplicit: o.CacheDir != "",
		revision:         o.Revision,
		offline:          o.Offline || offlineFromEnv(),
		endpoint:         o.Endpoint,
		token:            o.Token,
		client:           o.HTTPClient,
		etagTimeout:      secondsFromEnv("HF_HUB_ETAG_TIMEOUT", 10),
		readTimeout:      secondsFromEnv("HF_HUB_DOWNLOAD_TIMEOUT", 10),
	}
	if c.cacheDir == "" {
		dir, err := DefaultCacheDir()
		if err != nil {
			return config{}, err
		}
		c.cacheDir = dir
	}
	if c.revision == "" {
		c.revision = defaultRevision
	}
	if c.endpoint == "" {
		c.endpoint = envOr("HF_ENDPOINT", defaultEndpoint)
	}
	c.endpoint = strings.TrimRight(c.endpoint, "/")
	if c.client == nil {
		c.client = http.DefaultClient
	}
	if c.token == "" && !c.offline {
		token, err := implicitToken()
		if err != nil {
			return config{}, err
		}
		c.token = token
	}
	return c, nil
}
