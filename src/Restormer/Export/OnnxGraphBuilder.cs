using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace Restormer.Export;

/// <summary>
/// Builds an ONNX graph one operator at a time: every value gets a fresh name, weights become initializers (float32,
/// or float16 followed by a Cast to float32 so the graph still computes in float32), and attributes are typed.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly bool halfWeights;
    private int values;

    public GraphProto Graph { get; } = new();

    public OnnxGraphBuilder(string name, bool halfWeights)
    {
        Graph.Name = name;
        this.halfWeights = halfWeights;
    }

    /// <summary>A float weight under <paramref name="name"/>, reshaped to <paramref name="shape"/> when given; returns the float32 value's name.</summary>
    public string Weight(string name, Tensor weight, params long[] shape)
    {
        using var scope = NewDisposeScope();
        var stored = weight.detach().to(halfWeights ? ScalarType.Float16 : ScalarType.Float32).contiguous();
        var proto = new TensorProto
        {
            Name = name,
            DataType = (int)(halfWeights ? TensorProto.Types.DataType.Float16 : TensorProto.Types.DataType.Float),
            RawData = ByteString.CopyFrom(stored.bytes),
        };
        proto.Dims.AddRange(shape.Length > 0 ? shape : stored.shape);
        Graph.Initializer.Add(proto);
        return halfWeights ? Node("Cast", [name], Int("to", (long)TensorProto.Types.DataType.Float)) : name;
    }

    /// <summary>A constant int64 vector (shapes, axes) under <paramref name="name"/>.</summary>
    public string Int64s(string name, params long[] data)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(data.Length);
        proto.Int64Data.AddRange(data);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A float scalar constant.</summary>
    public string Scalar(string name, float value)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.FloatData.Add(value);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>One operator with one output; returns the output's name.</summary>
    public string Node(string op, string[] inputs, params AttributeProto[] attributes) => Node(op, inputs, 1, attributes)[0];

    /// <summary>One operator with <paramref name="outputs"/> outputs; returns their names.</summary>
    public string[] Node(string op, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{Graph.Node.Count}" };
        node.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(_ => $"v{values++}").ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return names;
    }

    /// <summary>Renames the value <paramref name="value"/> to <paramref name="name"/> through an Identity (for graph outputs).</summary>
    public void Output(string value, string name, ValueInfoProto info)
    {
        var node = new NodeProto { OpType = "Identity", Name = $"Identity_{Graph.Node.Count}" };
        node.Input.Add(value);
        node.Output.Add(name);
        Graph.Node.Add(node);
        Graph.Output.Add(info);
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A float32 N×<paramref name="channels"/>×height×width value with symbolic batch, height and width.</summary>
    public static ValueInfoProto ImageInfo(string name, int channels)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = channels });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "height" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "width" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
