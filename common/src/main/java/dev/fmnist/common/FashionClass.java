package dev.fmnist.common;

import java.util.List;

/** The ten Fashion-MNIST classes, in label order (label = ordinal). */
public enum FashionClass {
    T_SHIRT_TOP("T-shirt/top"),
    TROUSER("Trouser"),
    PULLOVER("Pullover"),
    DRESS("Dress"),
    COAT("Coat"),
    SANDAL("Sandal"),
    SHIRT("Shirt"),
    SNEAKER("Sneaker"),
    BAG("Bag"),
    ANKLE_BOOT("Ankle boot");

    /** Number of classes, the length of every probability vector. */
    public static final int COUNT = 10;

    private static final FashionClass[] BY_LABEL = values();

    private final String displayName;

    FashionClass(String displayName) {
        this.displayName = displayName;
    }

    public int label() {
        return ordinal();
    }

    public String displayName() {
        return displayName;
    }

    public static boolean isValidLabel(int label) {
        return label >= 0 && label < COUNT;
    }

    public static FashionClass ofLabel(int label) {
        if (!isValidLabel(label)) {
            throw new IllegalArgumentException("label must be 0.." + (COUNT - 1) + ", got " + label);
        }
        return BY_LABEL[label];
    }

    public static List<String> displayNames() {
        return java.util.Arrays.stream(BY_LABEL).map(FashionClass::displayName).toList();
    }
}
