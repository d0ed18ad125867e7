package imageops

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/gif"  // GIF inputs, as diffusers' load_image accepts
	_ "image/jpeg" // JPEG inputs
	_ "image/png"  // PNG inputs
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	_ "golang.org/x/image/webp" // WebP inputs
)

// maxDownload bounds an image fetched from a URL (a reference image, not a
// dataset).
const maxDownload = 64 << 20

// Decode reads a PNG, JPEG, GIF or WebP image. JPEG pixels come from Go's
// decoder, whose IDCT and colour conversion can differ from libjpeg's
// (what Pillow uses) by a level here and there; PNG, GIF and lossless WebP
// are exact.
func Decode(r io.Reader) (image.Image, error) {
	img, format, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("decoding image (PNG, JPEG, GIF and WebP are supported): %w", err)
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, fmt.Errorf("decoded %s image has size %dx%d", format, b.Dx(), b.Dy())
	}
	return img, nil
}

// LoadImage reads an image from a file path or an http(s) URL, like
// diffusers.utils.load_image (which then converts to RGB: do that with
// FromImage + DropAlpha where the caller needs it).
func LoadImage(ctx context.Context, pathOrURL string) (image.Image, error) {
	if strings.HasPrefix(pathOrURL, "http://") || strings.HasPrefix(pathOrURL, "https://") {
		data, err := fetch(ctx, pathOrURL)
		if err != nil {
			return nil, err
		}
		img, err := Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pathOrURL, err)
		}
		return img, nil
	}
	f, err := os.Open(pathOrURL)
	if err != nil {
		return nil, fmt.Errorf("loading image: %w", err)
	}
	defer f.Close()
	img, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pathOrURL, err)
	}
	return img, nil
}

func fetch(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("loading image: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("loading image from %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("loading image from %s: HTTP %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("loading image from %s: %w", url, err)
	}
	if len(data) > maxDownload {
		return nil, fmt.Errorf("loading image from %s: larger than %d MB", url, maxDownload>>20)
	}
	return data, nil
}
