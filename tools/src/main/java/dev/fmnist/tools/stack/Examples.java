package dev.fmnist.tools.stack;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The examples that 'up' names in its "three things to try", written into the run directory from the real test
 * set, so that each command it prints works as printed: a photo-like PNG of a garment (a test image enlarged
 * tenfold and drawn dark on white, as a photo on a light background is) and an Open Inference Protocol request
 * of one test image ({@code FP32 [1,1,28,28]}, values pixel/255: docs/inference.md).
 */
final class Examples {
    static final String PHOTO = "sneaker.png";
    static final String OIP_REQUEST = "oip-infer-request.json";
    private static final int SCALE = 10;

    private Examples() {
    }

    /** Writes both into {@code dir}, from the first test image of class {@code Sneaker}. */
    static void write(Path dir, LabelledImages test) throws IOException {
        Files.createDirectories(dir);
        int index = 0;
        while (test.label(index) != FashionClass.SNEAKER.label()) {
            index++;
        }
        byte[] pixels = test.image(index);
        BufferedImage photo = new BufferedImage(28 * SCALE, 28 * SCALE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < photo.getHeight(); y++) {
            for (int x = 0; x < photo.getWidth(); x++) {
                int ink = pixels[(y / SCALE) * 28 + x / SCALE] & 0xff;
                int v = 255 - ink; // dark garment on white
                photo.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        ImageIO.write(photo, "png", dir.resolve(PHOTO).toFile());

        ObjectNode request = Json.mapper().createObjectNode();
        request.put("id", "test-image-" + index);
        ObjectNode input = request.putArray("inputs").addObject();
        input.put("name", "image");
        input.putArray("shape").add(1).add(1).add(28).add(28);
        input.put("datatype", "FP32");
        ArrayNode data = input.putArray("data");
        for (byte p : pixels) {
            data.add(Math.round((p & 0xff) / 255.0 * 1e4) / 1e4);
        }
        Files.writeString(dir.resolve(OIP_REQUEST), Json.mapper().writeValueAsString(request));
    }
}
