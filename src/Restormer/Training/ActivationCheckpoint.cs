using TorchSharp;
using static TorchSharp.torch;

namespace Restormer.Training;

/// <summary>
/// Activation checkpointing (gradient checkpointing, Chen et al. 2016) for one module: the forward pass runs without
/// recording the module's internal activations and keeps only its input; the backward pass runs the module again
/// with gradients on and back-propagates through that fresh graph. Memory for a Transformer block's activations
/// (attention maps, the GDFN's wide hidden layer) is traded for one extra forward per block. The module must be
/// deterministic (Restormer's blocks have no dropout).
/// </summary>
public static class ActivationCheckpoint
{
    /// <summary>Runs <paramref name="module"/> on <paramref name="input"/>, checkpointed when gradients are being recorded.</summary>
    public static Tensor Run(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        if (!is_grad_enabled())
            return module.call(input);
        var parameters = module.parameters().Where(p => p.requires_grad).Cast<object>();
        return Recompute.apply([input, module, .. parameters]);
    }

    sealed class Recompute : autograd.SingleTensorFunction<Recompute>
    {
        public override string Name => "ActivationCheckpoint";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            ctx.save_for_backward([input]);
            ctx.save_data("module", vars[1]);
            ctx.save_data("count", vars.Length);
            return ((nn.Module<Tensor, Tensor>)vars[1]).call(input);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var module = (nn.Module<Tensor, Tensor>)ctx.get_data("module");
            var count = (int)ctx.get_data("count");
            var parameters = module.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
            using var input = ctx.get_saved_variables()[0].detach().requires_grad_(true);
            using var enable = enable_grad();
            using var output = module.call(input);
            var grads = autograd.grad([output], [input, .. parameters], [gradOutput], allow_unused: true);
            // One gradient per forward argument: the input, none for the module object, then each parameter.
            var result = new List<Tensor>(count) { grads[0], null! };
            result.AddRange(grads.Skip(1));
            return result;
        }
    }
}
