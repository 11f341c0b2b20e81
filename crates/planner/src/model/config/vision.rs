//! The vision tower of a multimodal wrapper: the encoder of its `vision_config` and the
//! projector into the language model, counted as parameters the way `transformers` 5.24 builds
//! them, one formula per family, each naming the modelling file it follows.
//!
//! Design decision: a count, not layers. The tower runs once per image, before the language
//! model, so it takes memory where the engine keeps it (`memory::weights`) and no time per text
//! token; image tokens (their prefill and KV cache) are not modelled. A key a formula needs and
//! the file lacks takes transformers' default, and the import says which; a wrapper whose tower
//! is not counted (Gemma 3, or a file without `vision_config`) keeps the note that says so, and
//! other towers (`audio_config`, `speech_config`) are named as not counted.
//!
//! Conventions below: `h` the tower's width, `i` its MLP width, `L` its layers, `p` its patch
//! side, `t` the text model's width; a linear layer with bias is `in × out + out`, a LayerNorm
//! `2 × width` (weight and bias), an RMSNorm `width`. Buffers (Gemma 4's `std_bias`/`std_scale`
//! and clip bounds, Kimi's temporal sinusoid table) are not parameters and are not counted.

use super::fields::Fields;
use super::limits::{MAX_HEADS, MAX_HEAD_DIM, MAX_HIDDEN, MAX_INTERMEDIATE, MAX_LAYERS};
use crate::error::InputError;

const VISION: &str = "model.config.vision_config";

/// A tower's side lengths (patches, images, merge kernels, position grids) and input channels.
const MAX_SIDE: u64 = 1 << 16;
/// A learned position table's rows.
const MAX_POSITIONS: u64 = 1 << 24;
/// The most parameters a tower may count: far above any released encoder (under 10^9), and
/// with the language model's own bound (`limits`) still inside `u64`.
const MAX_TOWER_PARAMS: u128 = 1 << 50;

/// The tower a wrapper's `model_type` builds.
#[derive(Clone, Copy)]
pub(super) enum Tower {
    /// `Llama4VisionModel` + `Llama4MultiModalProjector`.
    Llama4,
    /// `Qwen3VLVisionModel` (Qwen3-VL, dense and MoE), with DeepStack mergers.
    Qwen3Vl,
    /// `Qwen3_5VisionModel` (Qwen3.5, dense and MoE): Qwen3-VL's tower without DeepStack.
    Qwen35,
    /// `Gemma4VisionModel` + `Gemma4MultimodalEmbedder`.
    Gemma4,
    /// `Kimi_K25VisionModel` (MoonViT) + `Kimi_K25MultimodalProjection`.
    KimiK25,
}

/// What the wrapper adds to the language model: the tower's parameters and the notes.
pub(super) struct Counted {
    pub params: u64,
    pub notes: Vec<String>,
}

/// The tower of the wrapper `arch` (its class name, for the notes) whose `model_type` builds
/// `tower` (`None`: not counted, as Gemma 3's, or a wrapper type not known), with a text model
/// `text_hidden` wide.
pub(super) fn count(outer: &Fields, arch: &str, tower: Option<Tower>, text_hidden: u64) -> Result<Counted, InputError> {
    let others: Vec<&str> = ["audio_config", "speech_config"].into_iter().filter(|k| outer.has(k)).collect();
    let mut notes = Vec::new();
    let vision = outer.object("vision_config")?;
    let params = match (vision, tower) {
        (Some(v), Some(tower)) => {
            let mut r = Reader { f: Fields::new(v, VISION), defaulted: Vec::new() };
            let params = match tower {
                Tower::Llama4 => llama4(&mut r, text_hidden)?,
                Tower::Qwen3Vl => qwen3_vl(&mut r, true)?,
                Tower::Qwen35 => qwen3_vl(&mut r, false)?,
                Tower::Gemma4 => gemma4(&mut r, text_hidden)?,
                Tower::KimiK25 => kimi_k25(&mut r, outer, text_hidden)?,
            };
            if params > MAX_TOWER_PARAMS {
                return Err(InputError::new(VISION, format!("describes a tower of over 2^50 parameters ({params})")));
            }
            notes.push(format!(
                "multimodal model ({arch}): the vision encoder and its projector (vision_config, {:.2}B parameters) are counted as weights, \
                 kept in 16 bits on the first pipeline stage and split by TP; image tokens (their prefill and KV cache) are not counted",
                params as f64 / 1e9
            ));
            if !r.defaulted.is_empty() {
                notes.push(format!(
                    "vision tower: {} not in the config; transformers' defaults used",
                    r.defaulted.join(", ")
                ));
            }
            params as u64
        }
        (None, Some(_)) if !outer.is_null("vision_config") => {
            notes.push(format!(
                "multimodal model ({arch}): the config has no vision_config, so no vision tower is counted (its weights and image tokens are not)"
            ));
            0
        }
        (None, Some(_)) => 0,
        _ => {
            let left_out = if vision.is_some() { "vision_config ignored, so its weights and image tokens are" } else { "its other towers are" };
            notes.push(format!("multimodal model ({arch}): only the language model (text_config) is imported; {left_out} not counted"));
            0
        }
    };
    if !others.is_empty() {
        notes.push(format!("{} ignored: those towers' weights and tokens are not counted", others.join(" and ")));
    }
    Ok(Counted { params, notes })
}

/// `vision_config` read with transformers' defaults, remembering which keys took one.
struct Reader<'a> {
    f: Fields<'a>,
    defaulted: Vec<&'static str>,
}

impl Reader<'_> {
    /// The first of `keys` present (the file's own name first where checkpoints and transformers
    /// differ), else `default`, noted under the first name.
    fn size(&mut self, keys: &[&'static str], default: u64, max: u64) -> Result<u128, InputError> {
        for key in keys {
            if let Some(v) = self.f.whole(key, 1, max)? {
                return Ok(v as u128);
            }
        }
        self.defaulted.extend(keys.first());
        Ok(default as u128)
    }

    /// A list's length (DeepStack's capture layers), `default` when absent.
    fn count(&mut self, key: &'static str, default: u128) -> Result<u128, InputError> {
        match self.f.wholes(key, 0, MAX_LAYERS)? {
            Some(list) => Ok(list.len() as u128),
            None => {
                self.defaulted.push(key);
                Ok(default)
            }
        }
    }
}

/// A linear layer `inputs × outputs`, with a bias or not.
fn linear(inputs: u128, outputs: u128, bias: bool) -> u128 {
    inputs * outputs + if bias { outputs } else { 0 }
}

/// Llama 4 (`models/llama4/modeling_llama4.py`, `Llama4VisionModel`, `Llama4MultiModalProjector`;
/// `Llama4VisionConfig` defaults in brackets):
/// - `patch_embedding` (`Llama4UnfoldConvolution`): `num_channels [3] × p² × h`, no bias;
/// - `class_embedding` `h`, `positional_embedding_vlm` `((image_size [448] / p [14])² + 1) × h`;
/// - `layernorm_pre`, `layernorm_post`: `2 × 2h`;
/// - `L` [34] layers: `q_proj`, `k_proj`, `v_proj` with bias `3 × (h × a + a)` and `o_proj`
///   `a × h + h`, `a = heads [16] × (h / heads)` (`h` when the heads divide it); `fc1`, `fc2`
///   with bias `h × i + i + i × h + h`; two LayerNorms `4h`;
/// - `vision_adapter` (`Llama4VisionMLP2`): `fc1` `i × projector_input_dim [4096]`, `fc2`
///   `projector_output_dim² [4096]`, no bias;
/// - `multi_modal_projector.linear_1`: `vision_output_dim [7680] × t`, no bias.
///
/// Defaults: `hidden_size` 768, `intermediate_size` 5632 (`h` is 1408 in every Llama 4 release).
fn llama4(r: &mut Reader, t: u64) -> Result<u128, InputError> {
    let h = r.size(&["hidden_size"], 768, MAX_HIDDEN)?;
    let layers = r.size(&["num_hidden_layers"], 34, MAX_LAYERS)?;
    let heads = r.size(&["num_attention_heads"], 16, MAX_HEADS)?;
    let i = r.size(&["intermediate_size"], 5632, MAX_INTERMEDIATE)?;
    let channels = r.size(&["num_channels"], 3, MAX_SIDE)?;
    let p = r.size(&["patch_size"], 14, MAX_SIDE)?;
    let image = r.size(&["image_size"], 448, MAX_SIDE)?;
    let output = r.size(&["vision_output_dim"], 7680, MAX_HIDDEN)?;
    let projector_in = r.size(&["projector_input_dim"], 4096, MAX_HIDDEN)?;
    let projector_out = r.size(&["projector_output_dim"], 4096, MAX_HIDDEN)?;
    let a = heads * (h / heads);
    let positions = (image / p) * (image / p) + 1;
    let layer = 3 * linear(h, a, true) + linear(a, h, true) + linear(h, i, true) + linear(i, h, true) + 4 * h;
    Ok(channels * p * p * h
        + h
        + positions * h
        + 4 * h
        + layers * layer
        + linear(i, projector_in, false)
        + linear(projector_out, projector_out, false)
        + linear(output, t as u128, false))
}

/// Qwen3-VL (`models/qwen3_vl/modeling_qwen3_vl.py`, `Qwen3VLVisionModel`; the MoE wrapper's
/// `Qwen3VLMoeVisionModel` is the same) and Qwen3.5 (`models/qwen3_5/modeling_qwen3_5.py`,
/// `Qwen3_5VisionModel`: no DeepStack mergers); `Qwen3VLVisionConfig` defaults in brackets:
/// - `patch_embed.proj` (`Conv3d` with bias): `in_channels [3] × temporal_patch_size [2] × p² [16²]
///   × h + h`;
/// - `pos_embed`: `num_position_embeddings [2304] × h`;
/// - `depth` [27] blocks: `qkv` `h × 3h + 3h`, `proj` `h × h + h`, `linear_fc1`, `linear_fc2`
///   `h × i + i + i × h + h`, `norm1`, `norm2` `4h`;
/// - `merger` (`Qwen3VLVisionPatchMerger`, `m = h × spatial_merge_size² [2²]`): `norm` `2h`,
///   `linear_fc1` `m × m + m`, `linear_fc2` `m × out_hidden_size [3584] + out`;
/// - Qwen3-VL only: one more merger per `deepstack_visual_indexes` [8, 16, 24] entry, its norm
///   over `m` (`2m`).
fn qwen3_vl(r: &mut Reader, deepstack: bool) -> Result<u128, InputError> {
    let h = r.size(&["hidden_size"], 1152, MAX_HIDDEN)?;
    let depth = r.size(&["depth"], 27, MAX_LAYERS)?;
    let i = r.size(&["intermediate_size"], 4304, MAX_INTERMEDIATE)?;
    let channels = r.size(&["in_channels"], 3, MAX_SIDE)?;
    let p = r.size(&["patch_size"], 16, MAX_SIDE)?;
    let tp = r.size(&["temporal_patch_size"], 2, MAX_SIDE)?;
    let merge = r.size(&["spatial_merge_size"], 2, MAX_SIDE)?;
    let out = r.size(&["out_hidden_size"], 3584, MAX_HIDDEN)?;
    let positions = r.size(&["num_position_embeddings"], 2304, MAX_POSITIONS)?;
    let mergers = if deepstack { r.count("deepstack_visual_indexes", 3)? } else { 0 };
    let m = h * merge * merge;
    let block = linear(h, 3 * h, true) + linear(h, h, true) + linear(h, i, true) + linear(i, h, true) + 4 * h;
    let merger = |norm: u128| 2 * norm + linear(m, m, true) + linear(m, out, true);
    Ok(linear(channels * tp * p * p, h, true) + positions * h + depth * block + merger(h) + mergers * merger(m))
}

/// Gemma 4 (`models/gemma4/modeling_gemma4.py`, `Gemma4VisionModel`, `Gemma4MultimodalEmbedder`;
/// `Gemma4VisionConfig` defaults in brackets; no linear layer has a bias):
/// - `patch_embedder.input_proj`: `3 × p² [16²] × h`; `position_embedding_table`:
///   `2 × position_embedding_size [10240] × h`;
/// - `L` [16] layers: `q_proj`, `o_proj` `2 × h × n × d`, `k_proj`, `v_proj` `2 × h × kv × d`
///   (`n` heads [12], `kv` heads [12], `d` head_dim [64]); `q_norm`, `k_norm` `2d` (`v_norm`
///   has no scale); four RMSNorms `4h`; gated MLP `3 × h × i`;
/// - `embed_vision.embedding_projection`: `output_proj_dims (else h) × t` (its norm has no
///   scale).
///
/// Defaults: `hidden_size` 768, `intermediate_size` 3072 (the released towers are 1152 wide).
fn gemma4(r: &mut Reader, t: u64) -> Result<u128, InputError> {
    let h = r.size(&["hidden_size"], 768, MAX_HIDDEN)?;
    let layers = r.size(&["num_hidden_layers"], 16, MAX_LAYERS)?;
    let heads = r.size(&["num_attention_heads"], 12, MAX_HEADS)?;
    let kv = r.size(&["num_key_value_heads"], 12, MAX_HEADS)?;
    let d = r.size(&["head_dim"], 64, MAX_HEAD_DIM)?;
    let i = r.size(&["intermediate_size"], 3072, MAX_INTERMEDIATE)?;
    let p = r.size(&["patch_size"], 16, MAX_SIDE)?;
    let positions = r.size(&["position_embedding_size"], 10 * 1024, MAX_POSITIONS)?;
    // `getattr(config, "output_proj_dims", config.hidden_size)`: no default of its own.
    let projected = r.f.whole("output_proj_dims", 1, MAX_HIDDEN)?.map_or(h, u128::from);
    let layer = 2 * h * heads * d + 2 * h * kv * d + 2 * d + 4 * h + 3 * h * i;
    Ok(3 * p * p * h + 2 * positions * h + layers * layer + projected * t as u128)
}

/// Kimi K2.5 (`models/kimi_k25/modeling_kimi_k25.py`, `Kimi_K25VisionModel`,
/// `Kimi_K25MultimodalProjection`; `Kimi_K25VisionConfig` defaults in brackets). Checkpoints
/// name the tower's sizes `vt_hidden_size`, `vt_num_hidden_layers`, `vt_intermediate_size`,
/// `init_pos_emb_height`, `init_pos_emb_width` (Moonshot's own configuration class); they are
/// read first, transformers' `hidden_size`, … after:
/// - `patch_embed.proj` (`Conv2d` with bias): `3 × p² [14²] × h + h`; `pos_emb`:
///   `pos_emb_height [64] × pos_emb_width [64] × h`;
/// - `L` [27] layers: `q_proj`, `k_proj`, `v_proj`, `proj` with bias `4 × (h × h + h)`;
///   `fc1`, `fc2` with bias `h × i + i + i × h + h` (`i` [4304]); `norm1`, `norm2` `4h`;
/// - `final_layernorm` `2h`;
/// - `mm_projector` (`m = h × merge_kernel_size [2 × 2]`): `pre_norm` over the wrapper's
///   `projection_hidden_size` [1152] `2 × 1152`, `in_proj` `m × m + m`, `out_proj` `m × t + t`.
fn kimi_k25(r: &mut Reader, outer: &Fields, t: u64) -> Result<u128, InputError> {
    let h = r.size(&["vt_hidden_size", "hidden_size"], 1152, MAX_HIDDEN)?;
    let layers = r.size(&["vt_num_hidden_layers", "num_hidden_layers"], 27, MAX_LAYERS)?;
    let i = r.size(&["vt_intermediate_size", "intermediate_size"], 4304, MAX_INTERMEDIATE)?;
    let p = r.size(&["patch_size"], 14, MAX_SIDE)?;
    let rows = r.size(&["init_pos_emb_height", "pos_emb_height"], 64, MAX_SIDE)?;
    let columns = r.size(&["init_pos_emb_width", "pos_emb_width"], 64, MAX_SIDE)?;
    let kernel = match r.f.wholes("merge_kernel_size", 1, MAX_SIDE)? {
        Some(k) if k.len() == 2 => k[0] as u128 * k[1] as u128,
        Some(k) => {
            return Err(r.f.error("merge_kernel_size", format!("must list 2 sizes (height, width), got {}", k.len())))
        }
        None => {
            r.defaulted.push("merge_kernel_size");
            4
        }
    };
    let norm_width = match outer.whole("projection_hidden_size", 1, MAX_HIDDEN)? {
        Some(w) => w as u128,
        None => {
            r.defaulted.push("projection_hidden_size");
            1152
        }
    };
    let m = h * kernel;
    let layer = 4 * linear(h, h, true) + linear(h, i, true) + linear(i, h, true) + 4 * h;
    Ok(linear(3 * p * p, h, true)
        + rows * columns * h
        + layers * layer
        + 2 * h
        + 2 * norm_width
        + linear(m, m, true)
        + linear(m, t as u128, true))
}
