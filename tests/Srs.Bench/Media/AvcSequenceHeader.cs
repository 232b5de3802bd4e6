namespace Srs.Bench.Media;

/// <summary>
/// A hand-written, valid AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.2.4.1) for 320x240
/// H.264 High profile, level 3.0, 4:2:0 8-bit, and the FLV video tag that carries it.
/// </summary>
public static class AvcSequenceHeader
{
    /// <summary>
    /// SPS NAL unit. After 67 (nal_ref_idc 3, type 7), profile_idc 100, constraint flags 0 and
    /// level_idc 30, the Exp-Golomb fields, in bits:
    /// seq_parameter_set_id 0 "1", chroma_format_idc 1 "010", bit_depth_luma/chroma_minus8 0 "1" "1",
    /// qpprime_y_zero_transform_bypass 0, seq_scaling_matrix_present 0, log2_max_frame_num_minus4 0 "1",
    /// pic_order_cnt_type 2 "011", max_num_ref_frames 1 "010", gaps_in_frame_num_allowed 0,
    /// pic_width_in_mbs_minus1 19 "000010100" (320 = 20 x 16), pic_height_in_map_units_minus1 14
    /// "0001111" (240 = 15 x 16), frame_mbs_only 1, direct_8x8_inference 1, frame_cropping 0,
    /// vui_parameters_present 0, then the RBSP stop bit and zero padding.
    /// 1010 1100 1011 0100 0000 1010 0000 1111 1100 1000 = AC B4 0A 0F C8.
    /// </summary>
    public static ReadOnlySpan<byte> Sps => [0x67, 0x64, 0x00, 0x1E, 0xAC, 0xB4, 0x0A, 0x0F, 0xC8];

    /// <summary>
    /// PPS NAL unit: 68 (type 8), then pic_parameter_set_id 0 "1", seq_parameter_set_id 0 "1",
    /// entropy_coding_mode (CABAC) 1, bottom_field_pic_order 0, num_slice_groups_minus1 0 "1",
    /// num_ref_idx_l0/l1_default_active_minus1 0 "1" "1", weighted_pred 0, weighted_bipred_idc "00",
    /// pic_init_qp/qs_minus26 0 "1" "1", chroma_qp_index_offset 0 "1", deblocking_filter_control 1,
    /// constrained_intra_pred 0, redundant_pic_cnt 0, stop bit: EE 3C 80 (what x264 writes too).
    /// </summary>
    public static ReadOnlySpan<byte> Pps => [0x68, 0xEE, 0x3C, 0x80];

    /// <summary>The record: version 1, profile/compatibility/level copied from the SPS, 4-byte NALU lengths,
    /// one SPS, one PPS, and the High-profile tail (chroma_format 1, bit depths 8, no SPS extensions).</summary>
    public static byte[] DecoderConfigurationRecord()
    {
        var sps = Sps;
        var pps = Pps;
        var record = new List<byte>
        {
            0x01, sps[1], sps[2], sps[3],
            0xFF,               // reserved 111111, lengthSizeMinusOne 3
            0xE1,               // reserved 111, numOfSequenceParameterSets 1
            (byte)(sps.Length >> 8), (byte)sps.Length,
        };
        record.AddRange(sps.ToArray());
        record.Add(0x01);       // numOfPictureParameterSets
        record.Add((byte)(pps.Length >> 8));
        record.Add((byte)pps.Length);
        record.AddRange(pps.ToArray());
        record.Add(0xFC | 1);   // reserved 111111, chroma_format_idc 1 (4:2:0)
        record.Add(0xF8 | 0);   // reserved 11111, bit_depth_luma_minus8 0
        record.Add(0xF8 | 0);   // reserved 11111, bit_depth_chroma_minus8 0
        record.Add(0x00);       // numOfSequenceParameterSetExt
        return record.ToArray();
    }

    /// <summary>FLV video tag body: keyframe + AVC (0x17), AVCPacketType 0 (sequence header), composition time 0, record.</summary>
    public static byte[] FlvTagBody() => [0x17, 0x00, 0x00, 0x00, 0x00, .. DecoderConfigurationRecord()];
}
