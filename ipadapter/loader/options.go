package loader

import "github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"

// Options says where and how a pipeline's files are looked up.
type Options struct {
	// Hub is used for a pipeline given as a Hub repository id (and for the
	// config repository of SingleFile): revision, token, offline mode,
	// cache folder, endpoint. A local folder needs none of it.
	Hub hub.Options
	// Variant selects weight files such as diffusion_pytorch_model.fp16.safetensors
	// ("fp16"); "" means the plain files.
	Variant string
	// Replace takes components from elsewhere instead of the pipeline's
	// folder, by model_index.json name ("vae", "image_encoder", …). A name
	// the pipeline does not list adds the component.
	Replace map[string]Location
	// Skip leaves components out (diffusers' image_encoder=None).
	Skip []string
}

// Location is a component's folder somewhere else: in a Hub repository or a
// local folder.
type Location struct {
	// Repo is a Hub repository id or a local folder.
	Repo string
	// Subfolder is the component's folder inside it ("" = its root), such as
	// "models/image_encoder" in h94/IP-Adapter.
	Subfolder string
	// Revision of Repo; "" means "main", not the pipeline's revision (which
	// names a commit of another repository).
	Revision string
	// Variant of its weights; "" means the plain files.
	Variant string
}
