namespace Restormer.Degradations;

/// <summary>What a <see cref="DegradationPipeline"/> does first: which blur, or no blur (noise/JPEG only).</summary>
public enum DegradationKind
{
    /// <summary>Camera-shake blur from a random <see cref="CameraShakeTrajectory"/>.</summary>
    Motion,
    /// <summary>Uniform straight-line motion blur of random length and angle.</summary>
    Linear,
    /// <summary>Out-of-focus disc blur with a soft rim.</summary>
    Defocus,
    /// <summary>Isotropic Gaussian blur.</summary>
    Gaussian,
    /// <summary>No blur; sensor noise is always added.</summary>
    Noise,
    /// <summary>No blur; JPEG re-compression is always applied.</summary>
    Jpeg,
    /// <summary>Hand-shake blur: a smooth curved <see cref="SmoothPath"/> kernel like recorded camera shake.</summary>
    Shake,
    /// <summary>Spatially varying blur from a rotating camera (<see cref="CameraMotionBlur"/>), always in linear light.</summary>
    Camera,
    /// <summary>No blur: in a mix, the sharp image goes straight to the noise and JPEG stages.</summary>
    None,
    /// <summary>Straight strokes with sharp turns (<see cref="BlurKernels.Polyline"/>), a family kept for validation.</summary>
    Polyline,
    /// <summary>A moving object over a still or shaken background (<see cref="ObjectMotionBlur"/>): two blurs in one frame.</summary>
    Object,
    /// <summary>A blur kind drawn per sample from the <see cref="BlurMix"/> weights.</summary>
    Mixed,
}
