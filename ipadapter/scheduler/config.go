package scheduler

import (
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/pyjson"
)

// Config is a diffusers scheduler config (scheduler_config.json), with the
// JSON names. A nil field is "not given": the scheduler built from it uses
// its class's default, exactly like a missing key in diffusers. Fields a
// class does not use are kept, so a config passed from one scheduler to
// another keeps them (diffusers keeps them too, for compatible classes).
type Config struct {
	ClassName        string `json:"_class_name,omitempty"`
	DiffusersVersion string `json:"_diffusers_version,omitempty"`

	NumTrainTimesteps   *int      `json:"num_train_timesteps,omitempty"`
	BetaStart           *float64  `json:"beta_start,omitempty"`
	BetaEnd             *float64  `json:"beta_end,omitempty"`
	BetaSchedule        *string   `json:"beta_schedule,omitempty"`
	TrainedBetas        []float64 `json:"trained_betas,omitempty"`
	PredictionType      *string   `json:"prediction_type,omitempty"`
	TimestepSpacing     *string   `json:"timestep_spacing,omitempty"`
	StepsOffset         *int      `json:"steps_offset,omitempty"`
	RescaleBetasZeroSNR *bool     `json:"rescale_betas_zero_snr,omitempty"`

	// Euler / DPM-Solver sigma schedules.
	InterpolationType    *string  `json:"interpolation_type,omitempty"`
	UseKarrasSigmas      *bool    `json:"use_karras_sigmas,omitempty"`
	UseExponentialSigmas *bool    `json:"use_exponential_sigmas,omitempty"`
	UseBetaSigmas        *bool    `json:"use_beta_sigmas,omitempty"`
	UseLuLambdas         *bool    `json:"use_lu_lambdas,omitempty"`
	SigmaMin             *float64 `json:"sigma_min,omitempty"`
	SigmaMax             *float64 `json:"sigma_max,omitempty"`
	TimestepType         *string  `json:"timestep_type,omitempty"`
	FinalSigmasType      *string  `json:"final_sigmas_type,omitempty"`

	// DDIM.
	ClipSample      *bool    `json:"clip_sample,omitempty"`
	ClipSampleRange *float64 `json:"clip_sample_range,omitempty"`
	SetAlphaToOne   *bool    `json:"set_alpha_to_one,omitempty"`
	SkipPRKSteps    *bool    `json:"skip_prk_steps,omitempty"`

	// Dynamic thresholding (DDIM, DPM-Solver).
	Thresholding             *bool    `json:"thresholding,omitempty"`
	DynamicThresholdingRatio *float64 `json:"dynamic_thresholding_ratio,omitempty"`
	SampleMaxValue           *float64 `json:"sample_max_value,omitempty"`

	// DPM-Solver.
	SolverOrder      *int     `json:"solver_order,omitempty"`
	AlgorithmType    *string  `json:"algorithm_type,omitempty"`
	SolverType       *string  `json:"solver_type,omitempty"`
	LowerOrderFinal  *bool    `json:"lower_order_final,omitempty"`
	EulerAtFinal     *bool    `json:"euler_at_final,omitempty"`
	LambdaMinClipped *Float64 `json:"lambda_min_clipped,omitempty"`
	VarianceType     *string  `json:"variance_type,omitempty"`
}

// Float64 is a float64 config value that may be non-finite: Python's json
// writes -Infinity (DPM-Solver's lambda_min_clipped default) as a bare
// token, which this type reads (after pyjson quoting) and writes back as the
// string "-Infinity", since encoding/json cannot emit bare non-finite
// numbers.
type Float64 float64

// UnmarshalJSON accepts a number or "NaN"/"Infinity"/"-Infinity".
func (f *Float64) UnmarshalJSON(b []byte) error {
	var v pyjson.Float
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	*f = Float64(v)
	return nil
}

// MarshalJSON writes finite values as numbers, others as Python's names.
func (f Float64) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return json.Marshal(v)
}

// Ptr returns a pointer to v, for writing Config literals and overrides.
func Ptr[T any](v T) *T { return &v }

// ParseConfig decodes a scheduler_config.json (Python's NaN/Infinity
// tokens included).
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := pyjson.Unmarshal(data, &c); err != nil {
		return Config{}, fmt.Errorf("scheduler: parsing config: %w", err)
	}
	return c, nil
}

// LoadConfig reads a scheduler_config.json file.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("scheduler: %w", err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return c, nil
}

// With returns c with every field that overrides sets replaced, like the
// keyword overrides of from_config. ClassName is taken from overrides only
// when it is set there.
func (c Config) With(overrides Config) Config {
	return merge(c, overrides)
}

// Clone returns a deep copy, so that callers can change it freely.
func (c Config) Clone() Config {
	return merge(Config{}, c)
}
