// Package notebook holds what the repository's notebooks share: which
// models, adapter files and reference images to use, read from the
// environment so the same notebooks run on the real SDXL and IP-Adapter
// weights (the defaults) or on the repository's tiny test model in CI.
//
//	IPADAPTER_NOTEBOOK_MODEL      diffusers SDXL folder or Hub id (stabilityai/stable-diffusion-xl-base-1.0)
//	IPADAPTER_NOTEBOOK_VARIANT    weight variant (fp16; folders without it use the plain files)
//	IPADAPTER_NOTEBOOK_ADAPTERS   IP-Adapter repository or folder (h94/IP-Adapter)
//	IPADAPTER_NOTEBOOK_SUBFOLDER  its folder of SDXL adapters (sdxl_models)
//	IPADAPTER_NOTEBOOK_ADAPTER    the plain adapter file (ip-adapter_sdxl.safetensors)
//	IPADAPTER_NOTEBOOK_PLUS       the Plus adapter (ip-adapter-plus_sdxl_vit-h.safetensors)
//	IPADAPTER_NOTEBOOK_PLUS_FACE  the Plus-Face adapter (ip-adapter-plus-face_sdxl_vit-h.safetensors)
//	IPADAPTER_NOTEBOOK_VITH       image_encoder_folder for the _vit-h adapters (models/image_encoder)
//	IPADAPTER_NOTEBOOK_IMAGES     a folder of stand-in reference images (default: the guide's URLs)
//	IPADAPTER_NOTEBOOK_STEPS      denoising steps (30)
//	IPADAPTER_NOTEBOOK_SIZE       image height and width (0: the model's, 1024 for SDXL)
//
// scripts/notebooks.sh sets them for the tiny fixture model.
package notebook
