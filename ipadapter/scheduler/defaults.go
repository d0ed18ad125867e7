package scheduler

import "math"

// Each class's __init__ defaults (diffusers v0.31; unchanged through
// v0.40 for these keys). A config key that is missing takes these values.

var commonDefaults = Config{
	NumTrainTimesteps:   Ptr(1000),
	BetaStart:           Ptr(0.0001),
	BetaEnd:             Ptr(0.02),
	BetaSchedule:        Ptr("linear"),
	PredictionType:      Ptr("epsilon"),
	StepsOffset:         Ptr(0),
	RescaleBetasZeroSNR: Ptr(false),
}

var eulerDefaults = commonDefaults.With(Config{
	InterpolationType:    Ptr("linear"),
	UseKarrasSigmas:      Ptr(false),
	UseExponentialSigmas: Ptr(false),
	UseBetaSigmas:        Ptr(false),
	TimestepSpacing:      Ptr("linspace"),
	TimestepType:         Ptr("discrete"),
	FinalSigmasType:      Ptr("zero"),
})

var eulerAncestralDefaults = commonDefaults.With(Config{
	TimestepSpacing: Ptr("linspace"),
})

var ddimDefaults = commonDefaults.With(Config{
	ClipSample:               Ptr(true),
	SetAlphaToOne:            Ptr(true),
	Thresholding:             Ptr(false),
	DynamicThresholdingRatio: Ptr(0.995),
	ClipSampleRange:          Ptr(1.0),
	SampleMaxValue:           Ptr(1.0),
	TimestepSpacing:          Ptr("leading"),
})

var dpmDefaults = commonDefaults.With(Config{
	SolverOrder:              Ptr(2),
	Thresholding:             Ptr(false),
	DynamicThresholdingRatio: Ptr(0.995),
	SampleMaxValue:           Ptr(1.0),
	AlgorithmType:            Ptr("dpmsolver++"),
	SolverType:               Ptr("midpoint"),
	LowerOrderFinal:          Ptr(true),
	EulerAtFinal:             Ptr(false),
	UseKarrasSigmas:          Ptr(false),
	UseExponentialSigmas:     Ptr(false),
	UseBetaSigmas:            Ptr(false),
	UseLuLambdas:             Ptr(false),
	FinalSigmasType:          Ptr("zero"),
	LambdaMinClipped:         Ptr(Float64(math.Inf(-1))),
	TimestepSpacing:          Ptr("linspace"),
})
