using Google.Protobuf;
using Onnx;
using Restormer.IO;
using Restormer.Model;
using static Restormer.Export.OnnxGraphBuilder;
using static TorchSharp.torch;

namespace Restormer.Export;

/// <summary>
/// Writes a <see cref="RestormerNet"/> as a standard ONNX model (opset 17, float32 input "input" N×C×H×W with
/// dynamic batch, height and width; output "output", unclamped), the module's forward operator for operator, so any
/// ONNX runtime can run it. As in the reference, the caller pads the image to sides that are multiples of 8 and
/// clamps the output. With <c>halfWeights</c> the weights are stored as float16 (half the file) and cast to float32
/// inside the graph, so the arithmetic stays float32.
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the graph uses (LayerNormalization and Gelu are spelt out from older operators).</summary>
    public const int Opset = 17;

    /// <summary>Serialises the model as ONNX bytes.</summary>
    public static byte[] ToBytes(RestormerNet model, bool halfWeights = false) => Build(model, halfWeights).ToByteArray();

    /// <summary>Writes the model to <paramref name="path"/> atomically (a failed export leaves no file behind).</summary>
    public static void Write(RestormerNet model, string path, bool halfWeights = false)
    {
        var proto = Build(model, halfWeights);
        AtomicFile.Write(path, (Stream stream) => proto.WriteTo(stream));
    }

    /// <summary>The ONNX model of <paramref name="model"/>'s current weights.</summary>
    internal static ModelProto Build(RestormerNet model, bool halfWeights = false)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var config = model.Config;
        var builder = new OnnxGraphBuilder("restormer", halfWeights);
        var graph = new RestormerGraph(builder, model.state_dict(), config);
        builder.Graph.Input.Add(ImageInfo("input", config.InpChannels));
        builder.Output(graph.Forward("input"), "output", ImageInfo("output", config.OutChannels));

        var proto = new ModelProto
        {
            IrVersion = 8, // the IR version of opset 17
            ProducerName = "restormer-dotnet",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"Restormer ({config}). Pad the input to sides that are multiples of 8 (reflect, as the reference) and clamp the output to [0, 1].",
            Graph = builder.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "size_multiple", Value = "8" });
        return proto;
    }

    /// <summary>The network's forward as ONNX operators, reading weights by their state-dict names.</summary>
    private sealed class RestormerGraph(OnnxGraphBuilder g, IReadOnlyDictionary<string, Tensor> state, RestormerConfig config)
    {
        public string Forward(string input)
        {
            int dim = config.Dim;
            var (blocks, heads) = (config.NumBlocks, config.Heads);
            var embedded = Conv(input, "patch_embed.proj", padding: 1);
            var level1 = Level(embedded, "encoder_level1", blocks[0], heads[0]);
            var level2 = Level(Down(level1, "down1_2"), "encoder_level2", blocks[1], heads[1]);
            var level3 = Level(Down(level2, "down2_3"), "encoder_level3", blocks[2], heads[2]);
            var latent = Level(Down(level3, "down3_4"), "latent", blocks[3], heads[3]);

            var decoder3 = Level(Conv(Concat(Up(latent, "up4_3"), level3), "reduce_chan_level3"), "decoder_level3", blocks[2], heads[2]);
            var decoder2 = Level(Conv(Concat(Up(decoder3, "up3_2"), level2), "reduce_chan_level2"), "decoder_level2", blocks[1], heads[1]);
            var decoder1 = Level(Concat(Up(decoder2, "up2_1"), level1), "decoder_level1", blocks[0], heads[0]);
            var refined = Level(decoder1, "refinement", config.NumRefinementBlocks, heads[0]);
            return config.DualPixelTask
                ? Conv(g.Node("Add", [refined, Conv(embedded, "skip_conv")]), "output", padding: 1)
                : g.Node("Add", [Conv(refined, "output", padding: 1), input]);
        }

        private string Level(string x, string name, int count, int heads)
        {
            for (int i = 0; i < count; i++)
            {
                string prefix = $"{name}.{i}";
                x = g.Node("Add", [x, Attention(Norm(x, prefix + ".norm1"), prefix + ".attn", heads)]);
                x = g.Node("Add", [x, FeedForward(Norm(x, prefix + ".norm2"), prefix + ".ffn")]);
            }
            return x;
        }

        /// <summary>The reference LayerNorm over channels (biased variance, eps 1e-5); BiasFree divides x itself.</summary>
        private string Norm(string x, string prefix)
        {
            var mean = g.Node("ReduceMean", [x], Ints("axes", 1), Int("keepdims", 1));
            var centred = g.Node("Sub", [x, mean]);
            var variance = g.Node("ReduceMean", [g.Node("Mul", [centred, centred])], Ints("axes", 1), Int("keepdims", 1));
            var deviation = g.Node("Sqrt", [g.Node("Add", [variance, g.Scalar($"{prefix}.eps", 1e-5f)])]);
            bool withBias = config.LayerNormType == LayerNormType.WithBias;
            var normalised = g.Node("Div", [withBias ? centred : x, deviation]);
            var weight = state[prefix + ".body.weight"];
            var scaled = g.Node("Mul", [normalised, g.Weight(prefix + ".body.weight", weight, weight.shape[0], 1, 1)]);
            return withBias ? g.Node("Add", [scaled, g.Weight(prefix + ".body.bias", state[prefix + ".body.bias"], weight.shape[0], 1, 1)]) : scaled;
        }

        /// <summary>MDTA: attention across channels with L2-normalised q and k (F.normalize: ‖·‖ clamped at 1e-12).</summary>
        private string Attention(string x, string prefix, int heads)
        {
            long channels = state[prefix + ".project_out.weight"].shape[0];
            var qkv = g.Node("Split", [Conv(Conv(x, prefix + ".qkv"), prefix + ".qkv_dwconv", padding: 1, groups: 3 * channels)], 3, Int("axis", 1));
            var headShape = g.Int64s($"{prefix}.head_shape", 0, heads, channels / heads, -1);
            string Heads(string t) => g.Node("Reshape", [t, headShape]);
            var minimum = g.Scalar($"{prefix}.norm_eps", 1e-12f);
            string Normalize(string t) => g.Node("Div", [t, g.Node("Max", [g.Node("ReduceL2", [t], Ints("axes", -1), Int("keepdims", 1)), minimum])]);
            var (q, k, v) = (Normalize(Heads(qkv[0])), Normalize(Heads(qkv[1])), Heads(qkv[2]));
            var scores = g.Node("MatMul", [q, g.Node("Transpose", [k], Ints("perm", 0, 1, 3, 2))]);
            var attention = g.Node("Softmax", [g.Node("Mul", [scores, g.Weight(prefix + ".temperature", state[prefix + ".temperature"])])], Int("axis", -1));
            var mixed = g.Node("Reshape", [g.Node("MatMul", [attention, v]), g.Node("Shape", [x])]);
            return Conv(mixed, prefix + ".project_out");
        }

        /// <summary>GDFN with the exact (erf) GELU: x/2 · (1 + erf(x/√2)).</summary>
        private string FeedForward(string x, string prefix)
        {
            var streams = g.Node("Split", [Conv(Conv(x, prefix + ".project_in"), prefix + ".dwconv", padding: 1, groups: state[prefix + ".dwconv.weight"].shape[0])], 2, Int("axis", 1));
            var erf = g.Node("Erf", [g.Node("Mul", [streams[0], g.Scalar($"{prefix}.rsqrt2", 0.70710678118654752f)])]);
            var gelu = g.Node("Mul", [g.Node("Mul", [streams[0], g.Scalar($"{prefix}.half", 0.5f)]), g.Node("Add", [erf, g.Scalar($"{prefix}.one", 1f)])]);
            return Conv(g.Node("Mul", [gelu, streams[1]]), prefix + ".project_out");
        }

        /// <summary>Conv 3×3 then PixelUnshuffle(2): SpaceToDepth orders channels block-major, PyTorch channel-major, so the two are swapped.</summary>
        private string Down(string x, string name)
        {
            long channels = state[$"{name}.body.0.weight"].shape[0];
            var blocks = g.Node("SpaceToDepth", [Conv(x, $"{name}.body.0", padding: 1)], Int("blocksize", 2));
            var split = g.Node("Reshape", [blocks, g.Int64s($"{name}.blocks_shape", 0, 4, channels, -1)]);
            return g.Node("Reshape", [g.Node("Transpose", [split], Ints("perm", 0, 2, 1, 3)), g.Node("Shape", [blocks])]);
        }

        /// <summary>Conv 3×3 then PixelShuffle(2), which is DepthToSpace in CRD order.</summary>
        private string Up(string x, string name) =>
            g.Node("DepthToSpace", [Conv(x, $"{name}.body.0", padding: 1)], Int("blocksize", 2), Text("mode", "CRD"));

        private string Concat(string a, string b) => g.Node("Concat", [a, b], Int("axis", 1));

        private string Conv(string x, string prefix, int padding = 0, long groups = 1)
        {
            var inputs = new List<string> { x, g.Weight(prefix + ".weight", state[prefix + ".weight"]) };
            if (state.TryGetValue(prefix + ".bias", out var bias)) inputs.Add(g.Weight(prefix + ".bias", bias));
            return g.Node("Conv", [.. inputs], Ints("pads", padding, padding, padding, padding), Int("group", groups));
        }
    }
}
