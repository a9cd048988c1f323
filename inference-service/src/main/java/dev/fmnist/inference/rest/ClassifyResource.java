package dev.fmnist.inference.rest;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.common.image.InvalidImageException;
import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.inference.service.ModelHolder;
import dev.fmnist.inference.service.ScoringService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * Convenience classification of one picture: a PNG or JPEG file (any size, preprocessed like a
 * photo) or 784 raw pixels, sent as a multipart form field {@code file} or as the raw body
 * ({@code image/png}, {@code image/jpeg}, {@code application/octet-stream}). Answers the top
 * classes of each model asked for ({@code ?model=all} by default, {@code ?top=3}).
 */
@Path("/api/classify")
@Produces(MediaType.APPLICATION_JSON)
public class ClassifyResource {
    private final ScoringService scoring;
    private final ModelHolder holder;
    private final ImagePreprocessor preprocessor;

    /** One class and its probability. */
    public record ClassScore(int label, String className, double probability) {
    }

    /** One model's answer. */
    public record ModelResult(String model, int version, int label, String className, List<ClassScore> top) {
    }

    /** The answer: the 28x28 image the models saw (base64 of 784 pixels) and each model's top classes. */
    public record Classification(String image, List<ModelResult> results) {
    }

    public ClassifyResource(ScoringService scoring, ModelHolder holder, ImagePreprocessor preprocessor) {
        this.scoring = scoring;
        this.holder = holder;
        this.preprocessor = preprocessor;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Blocking
    public Classification form(@RestForm("file") FileUpload file, @QueryParam("model") @DefaultValue("all") String model,
                               @QueryParam("top") @DefaultValue("3") String top) {
        if (file == null) {
            throw OipException.badRequest("the form has no field 'file' holding the picture");
        }
        try {
            return classify(Files.readAllBytes(file.uploadedFile()), model, top);
        } catch (IOException e) {
            throw OipException.badRequest("cannot read the uploaded file: " + e.getMessage());
        }
    }

    @POST
    @Consumes({"image/png", "image/jpeg", MediaType.APPLICATION_OCTET_STREAM})
    @Blocking
    public Classification raw(byte[] body, @QueryParam("model") @DefaultValue("all") String model,
                              @QueryParam("top") @DefaultValue("3") String top) {
        return classify(body, model, top);
    }

    /** {@code top} is read here, not by JAX-RS: a value that is not a number would be a bare 404 there. */
    private Classification classify(byte[] bytes, String model, String topParameter) {
        int top;
        try {
            top = Integer.parseInt(topParameter.strip());
        } catch (NumberFormatException e) {
            top = -1;
        }
        if (top < 1 || top > FashionClass.COUNT) {
            throw OipException.badRequest("top must be 1..10, got '" + topParameter + "'");
        }
        List<String> models;
        try {
            models = ModelNames.resolve(model);
        } catch (InvalidMessageException e) {
            throw new OipException(404, e.getMessage());
        }
        if (ModelNames.ALL.equals(model)) {
            models = models.stream().filter(m -> holder.version(m).isPresent()).toList();
            if (models.isEmpty()) {
                throw new OipException(503, "no model is loaded yet");
            }
        }
        byte[] pixels = pixels(bytes);
        float[] input = Pixels.toModelInput(pixels);
        List<ModelResult> results = new ArrayList<>(models.size());
        for (String m : models) {
            ScoringService.Scored scored = scoring.score(ScoringService.HTTP, m, null, input, 1);
            float[] p = scored.probabilities();
            int label = ModelScorers.argmax(p, 0);
            List<ClassScore> best = IntStream.range(0, ModelScorer.OUTPUT_SIZE).boxed()
                    .sorted(Comparator.comparingDouble((Integer c) -> p[c]).reversed())
                    .limit(top)
                    .map(c -> new ClassScore(c, FashionClass.ofLabel(c).displayName(), p[c]))
                    .toList();
            results.add(new ModelResult(m, scored.model().version(), label, FashionClass.ofLabel(label).displayName(), best));
        }
        return new Classification(Pixels.toBase64(pixels), results);
    }

    private byte[] pixels(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw OipException.badRequest("the picture is empty");
        }
        if (ImagePreprocessor.looksEncoded(bytes)) {
            try {
                return preprocessor.preprocess(bytes);
            } catch (InvalidImageException e) {
                throw OipException.badRequest(e.getMessage());
            }
        }
        if (bytes.length == Pixels.COUNT) {
            return bytes;
        }
        throw OipException.badRequest("the body is neither a PNG/JPEG file nor 784 raw pixels (" + bytes.length + " bytes)");
    }
}
